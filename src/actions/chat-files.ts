/**
 * Files customers attach to Chat API v2 chats (spec §4): limits, upload, download, delete. The
 * bytes go to the file store (files/file-store.ts) before the transaction that records the file
 * and adds its `FileUploaded` entry, as the chat engine adds any customer entry (the chat's entry
 * rate, its transcript caps); a refused upload takes its bytes back out. Agents on the chat
 * download through the agent API (`agentFile`).
 */
import { accessWorkForReading } from "../access/agent-interactions.ts";
import { accessChatV2, type ChatV2Key } from "../access/chat.ts";
import { chatAgents, type NewEntry, type OpenChatService } from "../domain/chat.ts";
import type { ChatFile } from "../domain/chat-v2.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { User } from "../domain/users.ts";
import { newFileId } from "../files/file-store.ts";
import type { Store } from "../store/store.ts";
import { chatEnvelope, fileLimitsEvent, type Envelope } from "../wire/chat-v2.ts";
import { commit } from "./after-commit.ts";
import { runCustomerOperation } from "./chat.ts";
import type { ActionContext, FileLimits } from "./context.ts";

/** An uploaded file as the transport read it. */
export interface Upload {
  name: string;
  bytes: Buffer;
  description: string;
}

/** Media types files are served with, by extension; anything else is `application/octet-stream`. */
const MEDIA_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  pdf: "application/pdf",
  txt: "text/plain",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

function fileRefusal(apiCode: number, message: string, advice?: string): AppError {
  return new AppError("invalid_input", message, advice === undefined ? { apiCode } : { apiCode, apiAdvice: advice });
}

/** What `file/limits` reports as used: files and bytes uploaded (deleted ones count), the most any file was downloaded. */
function usage(files: readonly ChatFile[]) {
  return {
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    downloads: files.reduce((most, f) => Math.max(most, f.downloads), 0),
  };
}

/** The ten keys iOS requires (spec §4.4), every value a string. */
function limitsData(limits: FileLimits, used: ReturnType<typeof usage>): Record<string, string> {
  return {
    "download-attempts": String(limits.downloads),
    "upload-max-files": String(limits.maxFiles),
    "delete-file": "odd",
    "upload-max-file-size": String(limits.maxBytes),
    "used-download-attempts": String(used.downloads),
    "used-upload-max-total-size": String(used.bytes),
    "upload-need-agent": String(limits.needAgent),
    "used-upload-max-files": String(used.files),
    "upload-max-total-size": String(limits.maxTotalBytes),
    "upload-file-types": limits.types.join(":"),
  };
}

/** `file/limits`, `fileGetLimits`: the limits and what this chat used, as one pseudo-event that is not stored. */
export async function fileLimits(ctx: ActionContext, key: ChatV2Key): Promise<Envelope> {
  const service = await accessChatV2(ctx.store, key);
  const used = usage(await ctx.store.chats.filesOf(service.chat.interactionId));
  return chatEnvelope(service, [fileLimitsEvent(service.chat.nickname, ctx.now(), limitsData(ctx.chat.files, used))]);
}

/** A file name as stored and shown: its last path segment, control characters out, at most 255 characters. */
function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // Control and format characters out: a right-to-left override would show `x\u202Efdp.txt` as `xtxt.pdf`.
  const kept = [...base].filter((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code >= 0x20 && code !== 0x7f && ch !== '"' && !/\p{Cf}/u.test(ch);
  });
  return kept.join("").trim().slice(0, 255);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** Refuses what the limits do not allow before anything is stored: its type (203) and its size (202). */
function checkUpload(limits: FileLimits, upload: Upload): string {
  const name = cleanFileName(upload.name);
  if (name === "") throw fileRefusal(203, "file: a name is required");
  if (!limits.types.includes(extensionOf(name))) throw fileRefusal(203, `file type not allowed: ${limits.types.join(", ")}`);
  if (upload.bytes.length > limits.maxBytes) throw fileRefusal(202, `file: at most ${limits.maxBytes} bytes`, String(limits.maxBytes));
  return name;
}

/** Upload: stored, then recorded with its `FileUploaded` entry; the reply names it in `userData["file-id"]`. */
export async function uploadFile(ctx: ActionContext, key: ChatV2Key, upload: Upload): Promise<Envelope> {
  const limits = ctx.chat.files;
  const name = checkUpload(limits, upload);
  if (upload.description.length > ctx.chat.maxFieldChars) throw fileRefusal(400, `file-description: at most ${ctx.chat.maxFieldChars} characters`);
  const known = await accessChatV2(ctx.store, key);
  // Everything that would refuse it is checked before its bytes are written (and again, in the
  // transaction that records it): a refused upload does not touch the disk.
  await checkRoom(ctx.store, limits, known, upload.bytes.length);
  const file: ChatFile = {
    id: newFileId(),
    interactionId: known.chat.interactionId,
    name,
    type: MEDIA_TYPES[extensionOf(name)] ?? "application/octet-stream",
    size: upload.bytes.length,
    description: upload.description,
    uploadedAt: ctx.now(),
    deleted: false,
    downloads: 0,
  };
  await limits.store.put(file.id, upload.bytes);
  const entry: NewEntry = {
    type: "Notice.FileUploaded",
    nick: "",
    text: name,
    userType: "CLIENT",
    data: { "file-id": file.id, "file-name": name, "file-size": String(file.size), "file-type": file.type, "file-description": file.description },
  };
  try {
    const service = await addFileEntry(ctx, known, key, entry, (tx, locked) => recordUpload(tx, limits, locked, file));
    return chatEnvelope(service, [], { userData: { "file-id": file.id } });
  } catch (err) {
    await limits.store.delete(file.id).catch((e: unknown) => ctx.logger.warn({ err: e }, "could not remove a refused upload"));
    throw err;
  }
}

/**
 * Whether the chat can take a file of `size` bytes: open, with an agent when so configured, room
 * for one more file and its bytes in the chat, and in what the chats of its address keep.
 */
async function checkRoom(store: Store, limits: FileLimits, service: OpenChatService, size: number): Promise<void> {
  if (service.chat.ended) throw new AppError("invalid_state", "the chat has ended");
  if (limits.needAgent) {
    const ix = await store.agentInteractions.get(service.chat.interactionId);
    if (ix === null || chatAgents(ix).length === 0) throw fileRefusal(203, "files can be sent once an agent is in the chat");
  }
  const used = usage(await store.chats.filesOf(service.chat.interactionId));
  if (used.files >= limits.maxFiles) throw fileRefusal(201, `at most ${limits.maxFiles} files in a chat`, String(limits.maxFiles));
  if (used.bytes + size > limits.maxTotalBytes)
    throw fileRefusal(202, `at most ${limits.maxTotalBytes} bytes of files in a chat`, String(limits.maxTotalBytes));
  if (service.clientAddress !== null && (await store.chats.fileBytesFrom(service.clientAddress)) + size > limits.maxBytesPerAddress) {
    throw fileRefusal(202, "too many bytes of files from this address for now", String(limits.maxBytesPerAddress));
  }
}

/** Within the upload's transaction (the chat locked): room for it, checked again, and its row. */
async function recordUpload(tx: Store, limits: FileLimits, service: OpenChatService, file: ChatFile): Promise<void> {
  await checkRoom(tx, limits, service, file.size);
  await tx.chats.addFile(file);
}

/**
 * A file entry added as the customer adds any entry (the chat's rate, its transcript's caps), with
 * what the file's row needs written in the same transaction; the chat as it is after.
 */
async function addFileEntry(
  ctx: ActionContext,
  known: OpenChatService,
  key: ChatV2Key,
  entry: NewEntry,
  alsoWrite: (tx: Store, locked: OpenChatService) => Promise<void>,
): Promise<OpenChatService> {
  const { service } = await runCustomerOperation(ctx, {
    rateKey: known.id,
    locate: (tx) => accessChatV2(tx, key, { lock: true }),
    operation: () => ({ name: "file", entry }),
    adds: true,
    showFrom: () => null,
    verbose: false,
    origin: null,
    alsoWrite,
  });
  return service;
}

/** A file of the chat the key opens, not deleted. */
async function fileOf(store: Store, service: OpenChatService, fileId: string): Promise<ChatFile> {
  const file = await store.chats.file(fileId);
  if (file === null || file.interactionId !== service.chat.interactionId || file.deleted) throw new AppError("not_found", "file not found", { apiCode: 404 });
  return file;
}

/** Download by the customer: counted against the file's download attempts. */
export async function downloadFile(ctx: ActionContext, key: ChatV2Key, fileId: string): Promise<{ file: ChatFile; bytes: Buffer }> {
  const file = await commit(ctx, async (tx) => {
    const service = await accessChatV2(tx, key, { lock: true });
    const found = await fileOf(tx, service, fileId);
    if (found.downloads >= ctx.chat.files.downloads) throw fileRefusal(400, `at most ${ctx.chat.files.downloads} downloads of a file`);
    const counted = { ...found, downloads: found.downloads + 1 };
    await tx.chats.saveFile(counted);
    return counted;
  });
  return { file, bytes: await bytesOf(ctx, file) };
}

async function bytesOf(ctx: ActionContext, file: ChatFile): Promise<Buffer> {
  const bytes = await ctx.chat.files.store.get(file.id);
  if (bytes === null) throw notFound("file not found");
  return bytes;
}

/** Delete: the file is gone for everyone, a `FileDeleted` entry says so. */
export async function deleteFile(ctx: ActionContext, key: ChatV2Key, fileId: string): Promise<Envelope> {
  const known = await accessChatV2(ctx.store, key);
  const file = await fileOf(ctx.store, known, fileId);
  const entry: NewEntry = { type: "Notice.FileDeleted", nick: "", text: file.name, userType: "CLIENT", data: { "file-id": file.id } };
  const service = await addFileEntry(ctx, known, key, entry, async (tx, locked) => {
    const current = await fileOf(tx, locked, fileId);
    await tx.chats.saveFile({ ...current, deleted: true });
  });
  await ctx.chat.files.store.delete(file.id).catch((err: unknown) => ctx.logger.warn({ err }, "could not remove a deleted file's bytes"));
  return chatEnvelope(service, []);
}

/** An agent who may read the interaction downloads one of its files (not counted: agents are not customers). */
export async function agentFile(ctx: ActionContext, user: User, interactionId: string, fileId: string): Promise<{ file: ChatFile; bytes: Buffer }> {
  await accessWorkForReading(ctx.store, user, interactionId);
  const file = await ctx.store.chats.file(fileId);
  if (file === null || file.interactionId !== interactionId || file.deleted) throw notFound(`There is no file ${fileId.slice(0, 64)}`);
  return { file, bytes: await bytesOf(ctx, file) };
}

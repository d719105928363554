/**
 * Chat API v2 files over HTTP (spec §4): the REST paths under a chat, and `chat-ntf`, where the
 * CometD flavour sends files (they never travel over Bayeux) naming the chat by its secureKey
 * alone. Uploads are multipart: the `file` part and the identity fields; limits, download and
 * delete may also come as forms. A download is the file itself, as an attachment that is never
 * sniffed into something a browser would run.
 */
import busboy from "busboy";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { deleteFile, downloadFile, fileLimits, uploadFile, type Upload } from "../../actions/chat-files.ts";
import type { ActionContext } from "../../actions/context.ts";
import { clientAddress, type ProxyTrust } from "../../client-address.ts";
import { AppError, rateLimited, unavailable } from "../../domain/errors.ts";
import type { ChatFile } from "../../domain/chat-v2.ts";
import { sendAttachment } from "../attachment.ts";
import { chatParams, registerChatBodyParsers } from "../chat/params.ts";
import { chatKeyOf, restFields, type V2Fields } from "./requests.ts";

export interface FileRoutesDeps {
  ctx: ActionContext;
  trustProxy: ProxyTrust;
  jsonMaxDepth: number;
  files: { maxBytes: number };
}

/** Where a parsed multipart body keeps its file part (not a parameter). */
const FILE = Symbol("file");

interface ParsedBody {
  [FILE]?: { name: string; bytes: Buffer; truncated: boolean };
  [field: string]: string;
}

const MAX_FIELDS = 300;

/** A parsed body's parameters: a multipart body is a plain object with its file under a symbol, left out here. */
export function plainBody(body: unknown): unknown {
  return typeof body === "object" && body !== null && FILE in body ? { ...(body as ParsedBody), [FILE]: undefined } : body;
}

/** A multipart body with at most one file: its fields, and the file's name and bytes (past `maxBytes`, marked truncated). */
function parseMultipartWithFile(req: FastifyRequest, body: Buffer, maxBytes: number, done: (err: Error | null, body?: unknown) => void): void {
  let parser: busboy.Busboy;
  try {
    // busboy marks a file truncated once it reaches the limit: one byte more tells a file of exactly maxBytes from a larger one.
    parser = busboy({
      headers: req.headers,
      // Browsers send a file name as UTF-8 (busboy reads it as latin1 unless told).
      defParamCharset: "utf8",
      limits: { fields: MAX_FIELDS, fieldNameSize: 256, files: 1, fileSize: maxBytes + 1, parts: MAX_FIELDS + 2 },
    });
  } catch (err) {
    done(new AppError("malformed_body", `malformed multipart body: ${(err as Error).message}`));
    return;
  }
  const parsed: ParsedBody = Object.create(null) as ParsedBody;
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    done(new AppError("malformed_body", message));
  };
  parser.on("field", (name: string | undefined, value) => {
    if (name === undefined || name === "__proto__") fail("multipart part without a usable name");
    else parsed[name] = value;
  });
  parser.on("file", (_name, stream, info) => {
    const chunks: Buffer[] = [];
    let truncated = false;
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("limit", () => {
      truncated = true;
    });
    stream.on("close", () => {
      parsed[FILE] = { name: info.filename ?? "", bytes: Buffer.concat(chunks), truncated };
    });
  });
  parser.on("fieldsLimit", () => fail(`at most ${MAX_FIELDS} parameters`));
  parser.on("partsLimit", () => fail(`at most ${MAX_FIELDS} parameters`));
  parser.on("filesLimit", () => fail("one file per request"));
  parser.on("error", (err: Error) => fail(`malformed multipart body: ${err.message}`));
  parser.on("close", () => {
    if (!failed) done(null, { ...parsed, [FILE]: parsed[FILE] });
  });
  parser.end(body);
}

const doc = (summary: string) => ({ tags: ["Chat API v2"], summary });

/** A download route's config: no API key asked (index.ts reads it). */
const DOWNLOAD = { download: true } as Record<string, unknown>;

/**
 * Uploads are read whole before they are parsed (at most CHAT_V2_FILE_MAX_BYTES and a form each),
 * so how many are read at once is bounded: on this node, and from one address. Past either, the
 * upload is refused before its body is read.
 */
const UPLOADS_AT_ONCE = 8;
const UPLOADS_AT_ONCE_PER_ADDRESS = 2;

function uploadGate(addressOf: (request: FastifyRequest) => string) {
  let inFlight = 0;
  const byAddress = new Map<string, number>();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const address = addressOf(request);
    const mine = byAddress.get(address) ?? 0;
    if (mine >= UPLOADS_AT_ONCE_PER_ADDRESS) throw rateLimited("too many uploads at once from this address", 1000);
    if (inFlight >= UPLOADS_AT_ONCE) throw unavailable("too many uploads at once: try again shortly", 1000);
    inFlight++;
    byAddress.set(address, mine + 1);
    reply.raw.once("close", () => {
      inFlight--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
  };
}

export function registerChatV2Files(api: FastifyInstance, deps: FileRoutesDeps): void {
  const { ctx } = deps;
  registerChatBodyParsers(api, deps.jsonMaxDepth);
  api.removeContentTypeParser("multipart/form-data");
  api.addContentTypeParser("multipart/form-data", { parseAs: "buffer" }, (req, body, done) =>
    parseMultipartWithFile(req, body as Buffer, deps.files.maxBytes, done),
  );
  // An upload may be as large as a file, and its form around it.
  const bodyLimit = deps.files.maxBytes + 1024 * 1024;
  const onRequest = uploadGate((request) => clientAddress(request.raw, deps.trustProxy));
  const fields = (request: FastifyRequest): V2Fields => restFields(chatParams(request.query, plainBody(request.body)), deps.jsonMaxDepth);
  const upload = (request: FastifyRequest): Upload => {
    const part = (request.body as ParsedBody | undefined)?.[FILE];
    if (part === undefined) throw new AppError("invalid_input", "file: a multipart part with a file name is required");
    if (part.truncated)
      throw new AppError("invalid_input", `file: at most ${deps.files.maxBytes} bytes`, { apiCode: 202, apiAdvice: String(deps.files.maxBytes) });
    return { name: part.name, bytes: part.bytes, description: fields(request).userData()["file-description"] ?? "" };
  };
  type ChatParams = { Params: { chatId: string } };
  type FileParams = { Params: { chatId: string; fileId: string } };
  for (const slash of ["", "/"]) {
    api.post<ChatParams>(`/chat/:service/:chatId/file/limits${slash}`, { schema: doc("File limits, and what this chat used") }, async (request) =>
      fileLimits(ctx, chatKeyOf(fields(request), request.params.chatId)),
    );
    api.post<ChatParams>(
      `/chat/:service/:chatId/file${slash}`,
      { bodyLimit, onRequest, schema: doc("Upload a file (multipart: file, secureKey, userId, alias)") },
      async (request) => uploadFile(ctx, chatKeyOf(fields(request), request.params.chatId), upload(request)),
    );
    api.post<FileParams>(
      `/chat/:service/:chatId/file/:fileId/download${slash}`,
      { config: DOWNLOAD, schema: doc("Download a file (no API key asked)") },
      async (request, reply) => sendFile(reply, await downloadFile(ctx, chatKeyOf(fields(request), request.params.chatId), request.params.fileId)),
    );
    api.post<FileParams>(`/chat/:service/:chatId/file/:fileId/delete${slash}`, { schema: doc("Delete a file") }, async (request) =>
      deleteFile(ctx, chatKeyOf(fields(request), request.params.chatId), request.params.fileId),
    );
    // chat-ntf: the chat by its secureKey alone; the operation in a field (iOS's misspelling and its missing one included).
    api.post(
      `/chat-ntf${slash}`,
      { bodyLimit, onRequest, schema: doc("Files for the CometD flavour: operation fileGetLimits, fileUpload, fileDownload or fileDelete, by secureKey") },
      async (request, reply) => {
        const f = fields(request);
        const key = chatKeyOf(f, null);
        const hasFile = (request.body as ParsedBody | undefined)?.[FILE] !== undefined;
        const operation = f.get("operation") ?? (hasFile ? "fileUpload" : null);
        const fileId = f.get("fileId") ?? "";
        switch (operation) {
          case "fileGetLimits":
          case "fileGetsLimits":
            return fileLimits(ctx, key);
          case "fileUpload":
            return uploadFile(ctx, key, upload(request));
          case "fileDownload":
            return sendFile(reply, await downloadFile(ctx, key, fileId));
          case "fileDelete":
            return deleteFile(ctx, key, fileId);
          default:
            throw new AppError("invalid_input", "operation: fileGetLimits, fileUpload, fileDownload or fileDelete");
        }
      },
    );
  }
}

function sendFile(reply: FastifyReply, { file, bytes }: { file: ChatFile; bytes: Buffer }) {
  return sendAttachment(reply, file, bytes);
}

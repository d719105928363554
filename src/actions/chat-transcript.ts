/**
 * Chat transcripts: entries are numbered and stored inside the caller's transaction, before
 * anyone is told; after the commit the customer (over CometD, in CometD mode) and the agents in
 * the chat (`NewMessages`) are told. Agent operations that change who is in a chat (accept,
 * transfer, conference, stop) add their Joined and Left notices here too, and an ended chat's
 * transcript becomes the contact history's content.
 */
import type { AgentInteraction } from "../domain/agent-interactions.ts";
import {
  agentChanges,
  chatAgents,
  entryBytes,
  notice,
  numberEntries,
  pageBy,
  plainTranscript,
  xmlTranscript,
  type Chat,
  type ChatService,
  type EntryType,
  type NewEntry,
  type TranscriptEntry,
} from "../domain/chat.ts";
import { invalidState } from "../domain/errors.ts";
import type { HistoryContent as InteractionContent } from "../domain/history.ts";
import type { User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import { agentEntry, chatObject, customerPush, newMessagesMessage, refreshTag, type Origin } from "./chat-messages.ts";
import type { ActionContext } from "./context.ts";

/** What to tell whom once a transaction that changed a chat has committed. */
export interface ChatUpdate {
  service: ChatService;
  interaction: AgentInteraction | null;
  /** New entries, in order. */
  entries: TranscriptEntry[];
  /** The customer's push is verbose (the call that caused it asked for `_verbose`). */
  verbose: boolean;
  /** Agents who just joined: they get the whole transcript, not only the new entries. */
  joined: string[];
  origin: Origin | null;
}

/** Whether the transcript can take these entries within CHAT_MAX_TRANSCRIPT_ENTRIES and _BYTES. */
export function hasRoomFor(ctx: ActionContext, chat: Chat, entries: readonly NewEntry[]): boolean {
  const bytes = entries.reduce((sum, e) => sum + entryBytes(e), 0);
  return chat.nextPosition - 1 + entries.length <= ctx.chat.maxTranscriptEntries && chat.transcriptBytes + bytes <= ctx.chat.maxTranscriptBytes;
}

/**
 * Appends entries to a chat's transcript (service loaded in `tx`); saves the service unless told
 * not to. With `enforceLimit` (what customers and agents send), a full transcript refuses them;
 * notices of what happened to the chat (joined, left, ended) always go in.
 */
export async function appendEntries(
  tx: Store,
  ctx: ActionContext,
  service: ChatService,
  entries: readonly NewEntry[],
  options: { enforceLimit: boolean; save?: boolean },
): Promise<TranscriptEntry[]> {
  const chat = service.chat!;
  if (options.enforceLimit && !hasRoomFor(ctx, chat, entries)) {
    throw invalidState(`the transcript of this chat is full (${ctx.chat.maxTranscriptEntries} entries or ${ctx.chat.maxTranscriptBytes} bytes)`);
  }
  const numbered = numberEntries(entries, chat.nextPosition, ctx.now());
  await tx.chats.append(chat.interactionId, numbered);
  chat.nextPosition += numbered.length;
  chat.transcriptBytes += entries.reduce((sum, e) => sum + entryBytes(e), 0);
  // A caller that changes more of the service saves it once itself.
  if (options.save !== false) await tx.chats.save(service);
  return numbered;
}

/**
 * The Joined and Left notices an agent operation causes on a chat, and its end when the
 * interaction completed. Null when the interaction is no Chat API chat or nothing changed.
 */
export async function recordAgentChanges(tx: Store, ctx: ActionContext, before: AgentInteraction, after: AgentInteraction): Promise<ChatUpdate | null> {
  if (before.mediaType !== "chat") return null;
  const { joined, left } = agentChanges(before, after);
  const ended = after.state === "Completed";
  if (joined.length === 0 && left.length === 0 && !ended) return null;
  const service = await tx.chats.byInteraction(after.id, { lock: true });
  if (service?.chat == null || service.chat.ended) return null;
  const entries: NewEntry[] = [];
  for (const id of left) entries.push(notice("Notice.Left", nickname(await tx.users.get(id)), "AGENT"));
  for (const id of joined) entries.push(notice("Notice.Joined", nickname(await tx.users.get(id)), "AGENT"));
  if (ended) service.chat.ended = true;
  const appended = await appendEntries(tx, ctx, service, entries, { enforceLimit: false });
  return { service, interaction: after, entries: appended, verbose: false, joined, origin: null };
}

/** How an agent appears in a transcript: their first name, else their user name. */
export function nickname(user: User | null): string {
  if (user === null) return "Agent";
  return user.firstName.trim() || user.userName;
}

/** Tells the customer (CometD mode) and the agents in the chat; call after the commit. */
export function publishChatUpdate(ctx: ActionContext, update: ChatUpdate): void {
  const { service, entries } = update;
  const chat = service.chat!;
  if (entries.length === 0) return;
  if (chat.notifyBy === "comet" && service.gmsUser !== null) {
    const origin = update.origin ?? { base: ctx.chat.serviceBase, host: "", port: "", tls: false };
    const message = chatObject(service, "TRANSCRIPT", entries, update.verbose, origin);
    ctx.notifier.deliver("customer", service.gmsUser, "/_genesys", customerPush(refreshTag(service.id), message));
  }
  const ix = update.interaction;
  if (ix === null) return;
  for (const agentId of chatAgents(ix)) {
    if (update.joined.includes(agentId)) continue;
    ctx.notifier.deliver("agent", agentId, "/v2/me/interactions", newMessagesMessage(ix, agentId, entries));
  }
  if (update.joined.length > 0) {
    sendWholeTranscript(ctx, ix, service, update.joined).catch((err: unknown) =>
      ctx.logger.error({ err, interactionId: ix.id }, "could not send the transcript to agents who joined the chat"),
    );
  }
}

/** Largest whole-transcript notification: a long chat goes out in pages of about this many bytes. */
export const TRANSCRIPT_PAGE_BYTES = 64 * 1024;

/**
 * Agents who join a chat (accept, transfer, conference) see all of it, not only what comes next:
 * in `NewMessages` pages of at most TRANSCRIPT_PAGE_BYTES (an entry larger than that alone), so
 * no single message grows with the chat.
 */
export async function sendWholeTranscript(ctx: ActionContext, ix: AgentInteraction, service: ChatService, agents: readonly string[]): Promise<void> {
  const chat = service.chat!;
  // Notices that always go in (joined, left) may take a transcript past its entry limit.
  const entries = await ctx.store.chats.transcript(chat.interactionId, 1, ctx.chat.maxTranscriptEntries + 1000);
  const pages = pageBy(entries, (e) => Buffer.byteLength(JSON.stringify(agentEntry(e))), TRANSCRIPT_PAGE_BYTES);
  for (const agentId of agents) {
    for (const page of pages) ctx.notifier.deliver("agent", agentId, "/v2/me/interactions", newMessagesMessage(ix, agentId, page));
  }
}

const TYPING = new Set<EntryType>(["Notice.TypingStarted", "Notice.TypingStopped"]);

/** The content an ended chat's history gets: its transcript as plain text and as XML. */
export async function chatHistoryContent(tx: Store, ctx: ActionContext, ix: AgentInteraction): Promise<InteractionContent | null> {
  if (ix.mediaType !== "chat") return null;
  const service = await tx.chats.byInteraction(ix.id);
  if (service?.chat == null) return null;
  // Typing notices are moments, not the conversation: history keeps what was said and who came and went.
  const entries = (await tx.chats.transcript(ix.id, 1, ctx.chat.maxTranscriptEntries + 1000)).filter((e) => !TYPING.has(e.type));
  const chat = service.chat;
  return {
    plainText: plainTranscript(entries, chat.startedAt),
    structuredText: xmlTranscript(entries, chat),
    structuredTextMime: "text/xml",
    binaryContent: null,
    binaryContentMime: null,
  };
}

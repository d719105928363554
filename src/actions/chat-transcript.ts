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
  hasChat,
  notice,
  withEntries,
  type EntryType,
  type NewEntry,
  type OpenChatService,
  type TranscriptEntry,
  type TranscriptLimits,
} from "../domain/chat.ts";
import type { HistoryContent } from "../domain/history.ts";
import type { User } from "../domain/users.ts";
import { UniqueViolation, type Store } from "../store/store.ts";
import { plainTranscript, xmlTranscript } from "../wire/chat-history.ts";
import type { ChatUpdate } from "./chat-delivery.ts";
import type { ActionContext } from "./context.ts";

/** CHAT_MAX_TRANSCRIPT_ENTRIES and CHAT_MAX_TRANSCRIPT_BYTES. */
export function transcriptLimits(ctx: ActionContext): TranscriptLimits {
  return { maxEntries: ctx.chat.maxTranscriptEntries, maxBytes: ctx.chat.maxTranscriptBytes };
}

/**
 * Stores new entries at the end of a chat's transcript (service locked in `tx`) and saves the
 * service with them; returns both. Room is the caller's to check: what customers and agents send
 * is refused when the transcript is full, notices of what happened to the chat always go in.
 */
export async function appendEntries(
  tx: Store,
  ctx: ActionContext,
  service: OpenChatService,
  entries: readonly NewEntry[],
): Promise<{ service: OpenChatService; entries: TranscriptEntry[] }> {
  const added = withEntries(service.chat, entries, ctx.now());
  const next = { ...service, chat: added.chat };
  await tx.chats.append(service.chat.interactionId, added.entries);
  await tx.chats.save(next);
  return { service: next, entries: added.entries };
}

/** The customer's or agent's message among new entries, marked with its sender's clientMessageKey (notices never carry one). */
export function withClientMessageKey<E extends NewEntry>(entries: readonly E[], key: string): E[] {
  return entries.map((e) => (e.type === "Message.Text" ? { ...e, clientMessageKey: key } : e));
}

/**
 * Runs `attempt` once more when it failed on a UniqueViolation and `retry` says a duplicate can be
 * a retried send's: appends of a chat are serialised by its lock, so this is only a safety net,
 * and the second attempt finds the entry the first could not add (and answers as a retry).
 */
export async function onceMoreIfDuplicate<T>(retry: boolean, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!retry || !(err instanceof UniqueViolation)) throw err;
    return attempt();
  }
}

/**
 * The Joined and Left notices an agent operation causes on a chat, and its end when the
 * interaction completed, then `notices` (what parley tells the customer about it). Null when the
 * interaction is no Chat API chat or nothing changed.
 */
export async function recordAgentChanges(
  tx: Store,
  ctx: ActionContext,
  before: AgentInteraction,
  after: AgentInteraction,
  notices: readonly NewEntry[] = [],
): Promise<ChatUpdate | null> {
  if (before.mediaType !== "chat") return null;
  const { joined, left } = agentChanges(before, after);
  const ended = after.state === "Completed";
  if (joined.length === 0 && left.length === 0 && !ended && notices.length === 0) return null;
  const service = await tx.chats.byInteraction(after.id, { lock: true });
  if (service === null || !hasChat(service) || service.chat.ended) return null;
  const entries: NewEntry[] = [];
  for (const id of left) entries.push(notice("Notice.Left", nickname(await tx.users.get(id)), "AGENT"));
  for (const id of joined) entries.push(notice("Notice.Joined", nickname(await tx.users.get(id)), "AGENT"));
  entries.push(...notices);
  // Who came and went always goes in, whatever the transcript's caps.
  const appended = await appendEntries(tx, ctx, { ...service, chat: { ...service.chat, ended: service.chat.ended || ended } }, entries);
  return { ...appended, interaction: after, verbose: false, joined, origin: null };
}

/** How an agent appears in a transcript: their first name, else their user name. */
export function nickname(user: User | null): string {
  if (user === null) return "Agent";
  return user.firstName.trim() || user.userName;
}

const TYPING = new Set<EntryType>(["Notice.TypingStarted", "Notice.TypingStopped"]);

/** The content an ended chat's history gets: its transcript as plain text and as XML. */
export async function chatHistoryContent(tx: Store, ctx: ActionContext, ix: AgentInteraction): Promise<HistoryContent | null> {
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

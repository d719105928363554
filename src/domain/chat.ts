/**
 * Chat API v1 (seed 004): chat services, the chat on each, and its transcript. Pure types and
 * rules, no I/O: positions, who joined or left when an agent operation ran, and entry sizes.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { invalidState, type AppError } from "./errors.ts";
import { xmlAttribute, xmlText } from "./xml.ts";
import type { AgentInteraction } from "./agent-interactions.ts";
import type { JsonObject } from "./json.ts";

export type ChatServiceKind = "basic" | "advanced";

/** A chat service as configured (the two seed services by default, more from PARLEY_CONFIG). */
export interface ChatServiceDefinition {
  name: string;
  kind: ChatServiceKind;
  /** The routing queue its chats wait in. */
  queue: string;
  /** How long a service (and its business data) lives after its last activity, seconds. */
  ttlSeconds: number;
  /**
   * Once its chat has ended, `refresh` and `send` answer 400 (GMS's
   * `_chat_400_response_on_disconnected`): bots written against such deployments take that
   * error as their end-of-chat signal. False: refresh answers DISCONNECTED.
   */
  disconnectedAs400: boolean;
  /** The routing priority of its chats (priority.ts: 0 to 1000, higher first). */
  priority: number;
}

/** The device a service was created with, for native push (`_device_notification_id`, `_device_os`). */
export interface Device {
  notificationId: string;
  os: string | null;
}

type AdvancedStatus = "waiting" | "available";

/** One service session (`_id`): its business data, owner and, once created, its chat. */
export interface ChatService {
  id: string;
  name: string;
  kind: ChatServiceKind;
  queue: string;
  /** The gms_user that created it: the only one who may use it, and whom pushes go to. */
  gmsUser: string | null;
  /** The client address it was created from: open services and chats are counted per address. */
  clientAddress: string | null;
  data: JsonObject;
  device: Device | null;
  /** Advanced services: what `status` last answered (pushed again when it changes). */
  status: AdvancedStatus | null;
  createdAt: number;
  expiresAt: number;
  chat: Chat | null;
}

export type NotifyBy = "comet" | "poll";

/** Which customer API opened a chat: v1 (`/1/service`) or v2 (`/2/chat`, `/service/chatV2`). Agents see no difference. */
type ChatApi = 1 | 2;

export interface Chat {
  interactionId: string;
  api: ChatApi;
  notifyBy: NotifyBy;
  /** The customer's nickname in the transcript. */
  nickname: string;
  /** Chat Server identity fields shown with `_verbose` (opaque here). */
  userId: string;
  secureKey: string;
  clientTimeZoneOffset: string;
  startedAt: number;
  ended: boolean;
  /** Position the next entry gets; the transcript holds 1 .. nextPosition - 1. */
  nextPosition: number;
  /** What the transcript holds, bytes of text and nicknames (bounded by CHAT_MAX_TRANSCRIPT_BYTES). */
  transcriptBytes: number;
  /** Poll mode: the first position the customer has not been given yet. */
  delivered: number;
  /** Last request from the customer (or CometD presence); a chat silent too long is ended. */
  lastSeenAt: number;
  /** The app went to the background (`/meta/disconnect` with `ext.transcriptPosition`). */
  awaySince: number | null;
  /** Background pushes have covered entries before this position. */
  pushedPosition: number;
}

export type EntryType =
  | "Message.Text"
  | "Notice.Joined"
  | "Notice.Left"
  | "Notice.TypingStarted"
  | "Notice.TypingStopped"
  | "Notice.PushUrl"
  | "Notice.Custom"
  /** Chat API v2: the customer took a new nickname (the entry's `nick` is the new one). */
  | "Notice.NicknameUpdated"
  /** Chat API v2: a file was attached or deleted; `data` names it (`file-id`, `file-name`, ...). */
  | "Notice.FileUploaded"
  | "Notice.FileDeleted";
export type UserType = "AGENT" | "CLIENT" | "EXTERNAL";

export interface TranscriptEntry {
  position: number;
  type: EntryType;
  nick: string;
  text: string;
  /** Epoch milliseconds. */
  at: number;
  userType: UserType;
  /** What a file entry names (string values only, as v2 clients decode them); absent on others. */
  data?: Readonly<Record<string, string>>;
  /**
   * A message sent with a `clientMessageId`: that id scoped to its sender (`clientMessageKey`),
   * unique in its chat. Written with the entry; reads of a transcript leave it out.
   */
  clientMessageKey?: string;
}

export type NewEntry = Omit<TranscriptEntry, "position" | "at">;

/** Who sent a message with a `clientMessageId`: the chat's customer, or one agent (by user id). */
export type MessageSender = "customer" | { agentId: string };

/**
 * A `clientMessageId` as its chat keeps it: scoped to its sender, so the same id from the customer
 * and from an agent, or from two agents, names two messages. The id comes last after a `/`, which
 * no id contains (chat-input.ts): two different senders or ids never make the same key.
 */
export function clientMessageKey(sender: MessageSender, clientMessageId: string): string {
  return `${sender === "customer" ? "customer" : `agent:${sender.agentId}`}/${clientMessageId}`;
}

/** The text GMS shows for notices that carry none. */
export const NOTICE_TEXT = {
  "Notice.Joined": "has joined the session",
  "Notice.Left": "has left the session",
  "Notice.TypingStarted": "is typing",
  "Notice.TypingStopped": "stopped typing",
} as const;

export function notice(type: keyof typeof NOTICE_TEXT, nick: string, userType: UserType): NewEntry {
  return { type, nick, text: NOTICE_TEXT[type], userType };
}

/**
 * What an entry adds to its transcript's size: its text and its nickname, UTF-8 bytes as the
 * history's XML keeps them (escaped: a `<` is four). Both go out with it in every push and into
 * its history, so both count against CHAT_MAX_TRANSCRIPT_BYTES (the nickname is stored once per
 * party, but sent and kept per entry), and the history of a chat is never more than that bound
 * plus its markup, whatever characters it is made of.
 */
export function entryBytes(entry: { text: string; nick: string; data?: Readonly<Record<string, string>> }): number {
  let bytes = Buffer.byteLength(xmlText(entry.text)) + Buffer.byteLength(xmlAttribute(entry.nick));
  for (const [key, value] of Object.entries(entry.data ?? {})) bytes += Buffer.byteLength(xmlAttribute(key)) + Buffer.byteLength(xmlAttribute(value));
  return bytes;
}

/**
 * Splits `items` into consecutive pages whose sizes add up to at most `maxBytes` each; an item
 * larger than that has a page of its own. For pushes that must stay bounded in bytes.
 */
export function pageBy<T>(items: readonly T[], size: (item: T) => number, maxBytes: number): T[][] {
  const pages: T[][] = [];
  let page: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (page.length > 0 && bytes + n > maxBytes) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push(item);
    bytes += n;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** How much one transcript may hold (CHAT_MAX_TRANSCRIPT_ENTRIES, CHAT_MAX_TRANSCRIPT_BYTES). */
export interface TranscriptLimits {
  maxEntries: number;
  maxBytes: number;
}

/** Whether the transcript can take these entries within its limits. */
export function hasRoomFor(chat: Chat, entries: readonly NewEntry[], limits: TranscriptLimits): boolean {
  const bytes = entries.reduce((sum, e) => sum + entryBytes(e), 0);
  return chat.nextPosition - 1 + entries.length <= limits.maxEntries && chat.transcriptBytes + bytes <= limits.maxBytes;
}

export function transcriptFull(limits: TranscriptLimits): AppError {
  return invalidState(`the transcript of this chat is full (${limits.maxEntries} entries or ${limits.maxBytes} bytes)`);
}

/** The chat with `entries` at its end: numbered from its next position, stamped `now`, counted in its size. */
export function withEntries(chat: Chat, entries: readonly NewEntry[], now: number): { chat: Chat; entries: TranscriptEntry[] } {
  const numbered = entries.map((e, i) => ({ ...e, position: chat.nextPosition + i, at: now }));
  const bytes = entries.reduce((sum, e) => sum + entryBytes(e), 0);
  return { chat: { ...chat, nextPosition: chat.nextPosition + numbered.length, transcriptBytes: chat.transcriptBytes + bytes }, entries: numbered };
}

/** What a customer does in their chat (`ixn/chat/<operation>`), its input checked. */
export type CustomerOperation =
  | { name: "refresh"; message: string | null }
  | { name: "send"; message: string }
  /** A typing notice past the chat's entry rate is dropped (`withinRate` false), the request still served. */
  | { name: "startTyping" | "stopTyping"; withinRate: boolean }
  | { name: "disconnect" }
  /** Chat API v2: a URL the customer pushes, a notice (none when empty), a new nickname, a file entry. */
  | { name: "pushUrl"; url: string }
  | { name: "customNotice"; message: string }
  | { name: "updateNickname"; nickname: string }
  | { name: "file"; entry: NewEntry };

export interface CustomerRules {
  transcript: TranscriptLimits;
  /** A chat whose customer is silent this long ends; presence is written a quarter of it apart. */
  customerTimeoutMs: number;
  /** How long the service lives after the customer's last request (its definition's TTL). */
  ttlMs: number;
  /** An ended chat refuses refresh too (the service's `disconnectedAs400`). */
  disconnectedAs400: boolean;
}

/** The result of a customer operation: the service's next state, what it adds, whether it ends the chat. */
export type CustomerStep =
  | {
      next: OpenChatService;
      /** New transcript entries, numbered (appended in this order). */
      entries: TranscriptEntry[];
      /** The customer left: the chat's interaction completes. */
      ended: boolean;
      /** Whether the service must be saved (a poll that changed nothing writes nothing). */
      changed: boolean;
    }
  | { refused: AppError };

/** A service whose chat has been opened. */
export type OpenChatService = ChatService & { chat: Chat };

export function hasChat(service: ChatService): service is OpenChatService {
  return service.chat !== null;
}

/**
 * refresh, send, startTyping, stopTyping, disconnect on a chat, as of `now`. The customer's
 * entry goes in unless the transcript is full (refused), or the chat has ended (only refresh and
 * disconnect are served then, adding nothing). Poll mode: everything up to the new end counts as
 * delivered. The customer is back from the background, seen now (written at most every quarter
 * timeout), and the service lives its TTL on.
 */
export function applyCustomerOperation(service: OpenChatService, op: CustomerOperation, now: number, rules: CustomerRules): CustomerStep {
  const chat = service.chat;
  if (chat.ended && op.name !== "disconnect" && (op.name !== "refresh" || rules.disconnectedAs400)) {
    return { refused: invalidState(`${op.name}: the chat has ended`) };
  }
  const adding = chat.ended ? [] : customerEntries(chat, op);
  // Leaving always goes in: notices of what happened to a chat are never refused.
  if (adding.length > 0 && op.name !== "disconnect" && !hasRoomFor(chat, adding, rules.transcript)) return { refused: transcriptFull(rules.transcript) };
  const appended = withEntries(chat, adding, now);
  const ended = op.name === "disconnect" && !chat.ended;
  const seen = appended.entries.length > 0 || now - chat.lastSeenAt > rules.customerTimeoutMs / 4;
  const next: Chat = {
    ...appended.chat,
    nickname: op.name === "updateNickname" && !chat.ended ? op.nickname : chat.nickname,
    ended: chat.ended || ended,
    delivered: chat.notifyBy === "poll" ? appended.chat.nextPosition : chat.delivered,
    awaySince: null,
    lastSeenAt: seen ? now : chat.lastSeenAt,
  };
  const changed = appended.entries.length > 0 || ended || next.delivered !== chat.delivered || chat.awaySince !== null || seen;
  return {
    next: { ...service, chat: next, expiresAt: Math.max(service.expiresAt, now + rules.ttlMs) },
    entries: appended.entries,
    ended,
    changed,
  };
}

/**
 * Whether a customer request would add an entry to a chat that has not ended (what the chat's
 * entry rate counts): typing, or a message that is not blank; leaving is never counted.
 */
export function addsEntry(operation: CustomerOperation["name"], message: string | null): boolean {
  if (operation === "startTyping" || operation === "stopTyping" || operation === "pushUrl" || operation === "updateNickname" || operation === "file")
    return true;
  return operation !== "disconnect" && message !== null && message.trim() !== "";
}

/** The entries a customer operation adds to a chat that has not ended. */
function customerEntries(chat: Chat, op: CustomerOperation): NewEntry[] {
  switch (op.name) {
    case "disconnect":
      return [notice("Notice.Left", chat.nickname, "CLIENT")];
    case "startTyping":
      return op.withinRate ? [notice("Notice.TypingStarted", chat.nickname, "CLIENT")] : [];
    case "stopTyping":
      return op.withinRate ? [notice("Notice.TypingStopped", chat.nickname, "CLIENT")] : [];
    case "send":
    case "refresh":
      return addsEntry(op.name, op.message) ? [{ type: "Message.Text", nick: chat.nickname, text: op.message ?? "", userType: "CLIENT" }] : [];
    case "pushUrl":
      return [{ type: "Notice.PushUrl", nick: chat.nickname, text: op.url, userType: "CLIENT" }];
    case "customNotice":
      return op.message.trim() === "" ? [] : [{ type: "Notice.Custom", nick: chat.nickname, text: op.message, userType: "CLIENT" }];
    case "updateNickname":
      return op.nickname === chat.nickname ? [] : [{ type: "Notice.NicknameUpdated", nick: op.nickname, text: op.nickname, userType: "CLIENT" }];
    case "file":
      return [{ ...op.entry, nick: chat.nickname, userType: "CLIENT" }];
  }
}

/** What a new chat is made of: what the customer chose, and the ids it is given (`chatTokens()`, its interaction). */
export type ChatOpening = Pick<Chat, "interactionId" | "api" | "notifyBy" | "nickname" | "clientTimeZoneOffset" | "userId" | "secureKey">;

/** The new chat of a service, opened at `now`: an empty transcript, the customer seen now. */
export function openChat(opening: ChatOpening, now: number): Chat {
  return {
    ...opening,
    startedAt: now,
    ended: false,
    nextPosition: 1,
    transcriptBytes: 0,
    delivered: 1,
    lastSeenAt: now,
    awaySince: null,
    pushedPosition: 1,
  };
}

/** The opaque ids of the `_verbose` Chat Server fields (`userId`, `secureKey`): 16 hex digits each. */
export function chatTokens(): Pick<Chat, "userId" | "secureKey"> {
  return { userId: randomBytes(8).toString("hex").toUpperCase(), secureKey: randomBytes(8).toString("hex") };
}

/** An opaque, unguessable service id: a UUID, as GMS gives basic services (spec decision 1). */
export function newServiceId(): string {
  return randomUUID();
}

/** Agents in the chat: the owner of an accepted interaction and those in conference with them. */
export function chatAgents(ix: AgentInteraction): string[] {
  if (ix.state !== "Accepted" || ix.ownerId === null) return [];
  return [ix.ownerId, ...ix.conference];
}

/** Who joined and who left the chat between two states of its interaction. */
export function agentChanges(before: AgentInteraction, after: AgentInteraction): { joined: string[]; left: string[] } {
  const was = new Set(chatAgents(before));
  const now = new Set(chatAgents(after));
  return { joined: [...now].filter((a) => !was.has(a)), left: [...was].filter((a) => !now.has(a)) };
}

/**
 * Chat API v1 (seed 004): chat services, the chat on each, and its transcript. Pure types and
 * rules, no I/O: positions, who joined or left when an agent operation ran, and entry sizes.
 */
import { randomBytes } from "node:crypto";
import { invalidInput } from "./errors.ts";
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
}

/** The device a service was created with, for native push (`_device_notification_id`, `_device_os`). */
export interface Device {
  notificationId: string;
  os: string | null;
}

export type AdvancedStatus = "waiting" | "available";

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

export interface Chat {
  interactionId: string;
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

export type EntryType = "Message.Text" | "Notice.Joined" | "Notice.Left" | "Notice.TypingStarted" | "Notice.TypingStopped" | "Notice.PushUrl" | "Notice.Custom";
export type UserType = "AGENT" | "CLIENT" | "EXTERNAL";

export interface TranscriptEntry {
  position: number;
  type: EntryType;
  nick: string;
  text: string;
  /** Epoch milliseconds. */
  at: number;
  userType: UserType;
}

export type NewEntry = Omit<TranscriptEntry, "position" | "at">;

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
export function entryBytes(entry: { text: string; nick: string }): number {
  return Buffer.byteLength(xmlText(entry.text)) + Buffer.byteLength(xmlAttribute(entry.nick));
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

/** Numbers the entries from `next` on, stamped `at`. */
export function numberEntries(entries: readonly NewEntry[], next: number, at: number): TranscriptEntry[] {
  return entries.map((e, i) => ({ ...e, position: next + i, at }));
}

/** `transcriptPosition` as a client sends it: a positive integer, as a string or a number. */
export function parsePosition(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === "") return null;
  const text = String(raw).trim();
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw invalidInput("transcriptPosition: a position from 1 on");
  return Number(text);
}

/** What a customer names themselves with at `ixn/chat`: each is capped at CHAT_MAX_FIELD_CHARS. */
export const CUSTOMER_FIELDS = ["firstName", "lastName", "email", "subject", "userDisplayName", "nickname", "customer_id", "clientTimeZoneOffset"] as const;

/** Refuses a customer field longer than `maxChars` (400 naming it). */
export function checkCustomerFields(params: Readonly<Record<string, string>>, maxChars: number): void {
  for (const name of CUSTOMER_FIELDS) {
    const value = params[name];
    if (value !== undefined && value.length > maxChars) throw invalidInput(`${name}: at most ${maxChars} characters`);
  }
}

export interface DataLimits {
  /** All keys and values together, UTF-8 bytes as JSON (as attached data is stored and sent). */
  maxBytes: number;
  /** One value, characters. */
  maxValueChars: number;
}

/**
 * Refuses business data past its limits (400 naming the first value too long, or the total).
 * The total is measured as the JSON it is stored and sent as, where a quote takes two bytes and
 * a control character six: the same measure as INTERACTION_MAX_DATA_BYTES, so data a service
 * accepted always fits the chat it opens.
 */
export function checkBusinessData(data: Readonly<JsonObject>, limits: DataLimits): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(data)) {
    const chars = typeof value === "string" ? value.length : JSON.stringify(value).length;
    if (chars > limits.maxValueChars) throw invalidInput(`${key.slice(0, 64)}: at most ${limits.maxValueChars} characters`);
    bytes += Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value)) + 2;
  }
  if (bytes > limits.maxBytes) throw invalidInput(`business data: at most ${limits.maxBytes} bytes in all (keys and values, as JSON)`);
}

/**
 * The customer's nickname: `userDisplayName`, else the first name and the initial of the last
 * (GMS shows Vasya Pupkin as `VasyaP`), else `Customer`.
 */
export function customerNickname(params: { userDisplayName?: string; firstName?: string; lastName?: string }): string {
  const display = params.userDisplayName?.trim();
  if (display) return display;
  const first = params.firstName?.trim() ?? "";
  const last = params.lastName?.trim() ?? "";
  const nick = `${first}${last.slice(0, 1)}`;
  return nick === "" ? "Customer" : nick;
}

/** An opaque id for the `_verbose` Chat Server fields (`userId`, `secureKey`): 16 hex digits. */
export function chatToken(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** An opaque, unguessable service id: a UUID, as GMS gives basic services (spec decision 1). */
export function newServiceId(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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

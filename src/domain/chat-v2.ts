/**
 * Chat API v2 (spec reference/chat-v2.md), the pure part: its identifiers, how its transcript
 * indexes map onto the chat's stored positions, and the rules on what a v2 customer sends. A v2
 * chat is the same chat as a v1 one (domain/chat.ts); only what the customer sees differs.
 *
 * Indexes: v2 clients expect their own `ParticipantJoined` at index 1 (spec §2.2, W8/W9 ask for
 * it again after a reload), which v1 chats do not store. It is not stored here either (agents see
 * a v2 chat exactly as a v1 chat): index 1 is that join, made up when read, and stored position
 * p is index p + 1.
 */
import { randomBytes } from "node:crypto";
import { invalidInput } from "./errors.ts";

/** `alias`: GMS's hint for which Chat Server holds a chat; any node serves any chat here, but clients need it non-empty (spec §1.1). */
export const ALIAS = "1";

/** The customer's own party number (iOS decodes `participantId` as an Int). */
export const CUSTOMER_PARTICIPANT = 1;

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A new v2 chat's `userId` (16 characters of [A-Za-z0-9]) and `secureKey` (128 random bits,
 * base64url without padding): Widgets pastes both into unquoted HTML attributes (spec §12 Q17),
 * and CometD clients identify a chat by its secureKey alone, so it must be unguessable.
 */
export function v2Tokens(): { userId: string; secureKey: string } {
  let userId = "";
  for (const b of randomBytes(16)) userId += ALPHANUMERIC[b % ALPHANUMERIC.length];
  return { userId, secureKey: randomBytes(16).toString("base64url") };
}

/** The v2 index of a stored position. */
export function indexOf(position: number): number {
  return position + 1;
}

/** `nextPosition`: one past the last index (the made-up join counts). */
export function nextIndex(storedNext: number): number {
  return storedNext + 1;
}

/**
 * What to read for a `transcriptPosition` (spec §2.4): from index P, that is the made-up join
 * when P is 1 or less and stored positions from P - 1; a negative position asks for the newest
 * event only (W9's asynchronous restore pages backwards from it).
 */
export type Reading = { join: boolean; from: number } | { newest: true };

export function readingFrom(position: number): Reading {
  if (position < 0) return { newest: true };
  return position <= 1 ? { join: true, from: 1 } : { join: false, from: position - 1 };
}

/**
 * `transcriptPosition` as v2 clients send it: a number (iOS, Widgets) or a string (Java); 0 or
 * absent is "everything" where a position is asked for, -1 the newest event. Null: none given.
 */
export function parseV2Position(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === "") return null;
  const text = String(raw).trim();
  if (!/^-?\d{1,9}$/.test(text)) throw invalidInput("transcriptPosition: an integer");
  const n = Number(text);
  return n < 0 ? -1 : Math.max(1, n);
}

/**
 * Each non-customer party's `participantId`: a number that is the same for the same party in
 * every event of a chat (W8/W9 key their list of agents by it) and never the customer's 1. The
 * store numbers parties by nickname; a hash of the same key gives a stable number without
 * reading them back.
 */
export function participantId(userType: string, nick: string): number {
  if (userType === "CLIENT") return CUSTOMER_PARTICIPANT;
  let hash = 0x811c9dc5;
  for (const ch of `${userType}\u0000${nick}`) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // 2 .. 2^31 - 1: a positive Int32 every client decodes.
  return 2 + (hash % 0x7ffffffd);
}

/**
 * The customer's nickname from requestChat (spec §3.3): `nickname`, else first and last name
 * joined (one alone is accepted); null when none is given (error 161).
 */
export function v2Nickname(fields: { nickname?: string; firstName?: string; lastName?: string }): string | null {
  const nick = fields.nickname?.trim();
  if (nick) return nick;
  const joined = [fields.firstName?.trim() ?? "", fields.lastName?.trim() ?? ""].filter((s) => s !== "").join(" ");
  return joined === "" ? null : joined;
}

/** An email address as far as a chat needs one: something@something, no spaces (error 364 otherwise). */
export function isEmailAddress(text: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(text);
}

/** A file a customer attached to a v2 chat (its bytes are in the file store under `id`). */
export interface ChatFile {
  id: string;
  interactionId: string;
  name: string;
  /** Its media type, as checked against the allowed extensions. */
  type: string;
  size: number;
  description: string;
  uploadedAt: number;
  deleted: boolean;
  /** Times the customer downloaded it (limited per file, `download-attempts`). */
  downloads: number;
}

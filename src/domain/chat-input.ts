/**
 * What a customer may send to the Chat API v1, checked before anything is stored: the caps on the
 * fields they name themselves with and on business data, transcript positions as clients send
 * them, and the nickname their fields make. Pure; errors are 400s naming the field.
 */
import { invalidInput } from "./errors.ts";
import type { JsonObject } from "./json.ts";

/**
 * `transcriptPosition` as a client sends it: an integer, as a string or a number. 0 means from
 * the start, as 1 does (pollers that start from 0 would otherwise never see the agent).
 */
export function parsePosition(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === "") return null;
  const text = String(raw).trim();
  if (!/^\d{1,9}$/.test(text)) throw invalidInput("transcriptPosition: a position from 1 on (0: from the start)");
  return Math.max(1, Number(text));
}

/**
 * `clientMessageId` (a parley extension, issue 20): what a client names a message with so that a
 * retried send adds nothing. Short and plain, so it can be stored, indexed and echoed as it came.
 */
export const CLIENT_MESSAGE_ID = { pattern: "^[A-Za-z0-9._:-]{0,64}$", maxLength: 64 } as const;
const CLIENT_MESSAGE_ID_RE = new RegExp(CLIENT_MESSAGE_ID.pattern);

/** A `clientMessageId` as a client sends it (a string); null when absent or empty, as an empty field is. */
export function parseClientMessageId(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === "") return null;
  if (typeof raw !== "string" || !CLIENT_MESSAGE_ID_RE.test(raw)) {
    throw invalidInput(`clientMessageId: a string of at most ${CLIENT_MESSAGE_ID.maxLength} of the characters A-Z a-z 0-9 . _ : -`);
  }
  return raw;
}

/** A boolean parameter (`_verbose`) as clients spell it: `true`, `True`, `TRUE` or `1`. */
export function isTrue(raw: string | undefined): boolean {
  return raw !== undefined && /^(true|1)$/i.test(raw.trim());
}

/** What a customer names themselves with at `ixn/chat`: each is capped at CHAT_MAX_FIELD_CHARS. */
export const CUSTOMER_FIELDS = ["firstName", "lastName", "email", "subject", "userDisplayName", "nickname", "customer_id", "clientTimeZoneOffset"] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** Refuses a customer field longer than `maxChars` (400 naming it). */
export function checkCustomerFields(params: Readonly<Partial<Record<string, string>>>, maxChars: number): void {
  for (const name of CUSTOMER_FIELDS) {
    const value = params[name];
    if (value !== undefined && value.length > maxChars) throw invalidInput(`${name}: at most ${maxChars} characters`);
  }
}

/** The longest business data key (a form field's name is capped as long by the parameter reader). */
const MAX_KEY_CHARS = 256;

/** Business data keys a service keeps at most (a chat's interaction adds ten of its own). */
export const MAX_DATA_KEYS = 200;

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
    if (key.length > MAX_KEY_CHARS) throw invalidInput(`business data: a key of at most ${MAX_KEY_CHARS} characters (${key.slice(0, 64)}...)`);
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

/** A URL to push into a chat: http or https only (what a desktop or an app would open), within 2048 characters. */
export function pushableUrl(value: unknown, field = "url"): string {
  if (typeof value !== "string" || value.length > 2048) throw invalidInput(`${field}: required (an http(s) URL)`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalidInput(`${field}: required (an http(s) URL)`);
  }
  // Anything else (javascript:, data:) would run in the customer's widget or the agent's desktop.
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalidInput(`${field}: must be http or https`);
  return value;
}

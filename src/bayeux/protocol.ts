/**
 * Bayeux 1.0 as CometD speaks it: message shapes, channel grammar and wildcards, the error
 * strings (`code:args:message`) and the advice the reference server gives.
 */
import { parseUntrustedJson } from "../safe-json.ts";

/** A Bayeux message as it travels (JSON). Fields are checked before use: clients send anything. */
export interface Message {
  channel?: unknown;
  id?: unknown;
  clientId?: unknown;
  data?: unknown;
  ext?: unknown;
  subscription?: unknown;
  connectionType?: unknown;
  supportedConnectionTypes?: unknown;
  version?: unknown;
  minimumVersion?: unknown;
  advice?: unknown;
  [key: string]: unknown;
}

/** A reply the server builds; `id` echoes the request's. */
export interface Reply {
  channel: string;
  successful?: boolean;
  id?: unknown;
  clientId?: string;
  error?: string;
  advice?: Advice;
  ext?: Record<string, unknown>;
  subscription?: unknown;
  [key: string]: unknown;
}

export interface Advice {
  reconnect: "retry" | "handshake" | "none";
  interval?: number;
  timeout?: number;
  "multiple-clients"?: boolean;
}

export type ConnectionType = "long-polling" | "callback-polling" | "websocket";
export const CONNECTION_TYPES: readonly ConnectionType[] = ["websocket", "long-polling", "callback-polling"];

/** With several tabs of one browser polling, extra tabs poll at this interval instead of holding. */
export const MULTIPLE_CLIENTS_INTERVAL_MS = 2_000;

export const HANDSHAKE_ADVICE: Advice = { reconnect: "handshake", interval: 0 };
export const NONE_ADVICE: Advice = { reconnect: "none", interval: 0 };
/**
 * A handshake refused for want of room (a cap on clients) may succeed later: the client is told
 * to handshake again after a while, not to give up for good ("none" stops the official client).
 */
export const FULL_ADVICE: Advice = { reconnect: "handshake", interval: 10_000 };

/** The error strings clients match on (CometD's values, not the old wiki's). */
export const ERRORS = {
  unknownClient: "402::Unknown client",
  badMessage: "400::Bad message",
  channelMissing: "400::channel missing",
  invalidChannel: (channel: string) => `405:${channel}:Invalid channel`,
  unknownMeta: (channel: string) => `404:${channel}:Unknown meta channel`,
  subscriptionMissing: "403::subscription missing",
  subscriptionDenied: (channel: string) => `403:${channel}:Subscription denied`,
  publishDenied: (channel: string) => `403:${channel}:Publish denied`,
  handshakeDenied: (reason: string) => `403::${reason}`,
  connectionType: (type: string) => `301:${type}:Unsupported connection type`,
  version: "300::Version mismatch",
  oneHandshakePerBatch: "400::at most one /meta/handshake per batch",
  tooManySegments: (channel: string, max: number) => `400:${channel}:a channel has at most ${max} segments`,
  subscriptionBytes: (max: number) => `403::subscribed channel names may total at most ${max} characters`,
} as const;

const SEGMENT = /^[A-Za-z0-9_\-!~().$@%+:=&]+$/;

/** Longest channel name clients may use, characters. */
const MAX_CHANNEL_LENGTH = 512;

/** More segments than this in a channel name: matching cost grows with them, so they are bounded. */
export function hasTooManySegments(channel: string, max: number): boolean {
  let count = 0;
  for (let i = channel.indexOf("/"); i >= 0; i = channel.indexOf("/", i + 1)) if (++count > max) return true;
  return false;
}

/** A channel name clients may use: absolute, non-empty segments, wildcards only last. */
export function isValidChannel(channel: string): boolean {
  if (channel.length === 0 || channel.length > MAX_CHANNEL_LENGTH || !channel.startsWith("/")) return false;
  const segments = channel.slice(1).split("/");
  return segments.every((segment, i) => {
    if (segment === "*" || segment === "**") return i === segments.length - 1;
    return SEGMENT.test(segment);
  });
}

export function isMeta(channel: string): boolean {
  return channel.startsWith("/meta/");
}

export function isService(channel: string): boolean {
  return channel.startsWith("/service/");
}

export function isWildcard(channel: string): boolean {
  return channel.endsWith("/*") || channel.endsWith("/**");
}

/** Does subscription `pattern` (`/a/*`, `/a/**` or exact) cover `channel`? */
export function matches(pattern: string, channel: string): boolean {
  if (pattern === channel) return true;
  if (pattern.endsWith("/**")) return channel.startsWith(pattern.slice(0, -2)) && channel.length > pattern.length - 2;
  if (pattern.endsWith("/*")) {
    const prefix = pattern.slice(0, -1);
    return channel.startsWith(prefix) && channel.length > prefix.length && !channel.includes("/", prefix.length);
  }
  return false;
}

/** Every pattern that would match `channel`: itself and each `/*`, `/**` above it. */
export function patternsFor(channel: string): string[] {
  const out = [channel];
  // Walk the slashes from the end: each prefix is a slice, not a join of segments.
  for (let end = channel.lastIndexOf("/"); end >= 0; end = end === 0 ? -1 : channel.lastIndexOf("/", end - 1)) {
    const prefix = channel.slice(0, end);
    if (out.length === 1) out.push(`${prefix}/*`);
    out.push(`${prefix}/**`);
  }
  return out;
}

/** A batch is an array of messages, or one message alone; anything else says what is wrong. */
export function parseBatch(text: string, limits: { maxBatch: number; maxDepth: number }): unknown[] | string {
  const parsed = parseUntrustedJson(text, limits.maxDepth);
  if (!parsed.ok) return parsed.kind === "syntax" ? "400::Bad message: not JSON" : `400::Bad message: ${parsed.message}`;
  const value = parsed.value;
  const messages = Array.isArray(value) ? value : typeof value === "object" && value !== null ? [value] : null;
  if (messages === null) return "400::Bad message: not a message or an array of messages";
  if (messages.length === 0) return "400::Bad message: empty batch";
  if (messages.length > limits.maxBatch) return `400::Bad message: more than ${limits.maxBatch} messages in one batch`;
  return messages;
}

/** Writes a batch of replies and pre-serialised messages as one JSON array. */
export function serializeBatch(items: readonly (Reply | string)[]): string {
  let body = "[";
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) body += ",";
    body += typeof item === "string" ? item : JSON.stringify(item);
  }
  return `${body}]`;
}

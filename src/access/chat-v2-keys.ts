/**
 * Chat API v2 credentials (spec §7), off by default: with CHAT_V2_API_KEYS set, a request carries
 * one of the keys in `apikey` or `x-api-key` (Widgets, iOS), or as the password of Basic
 * credentials (iOS: `Authorization: Basic` on REST, `auth.encoded` or `auth.password` in CometD
 * data). File download is exempt: Widgets downloads by a form navigation, which carries no headers.
 */
import { timingSafeEqual } from "node:crypto";

/** What a request offers as credentials, as each client sends them. */
export interface V2Credentials {
  apiKeys: readonly (string | undefined)[];
  /** The `Authorization` header, or `Basic <auth.encoded>` from CometD data. */
  authorization: string | undefined;
  /** CometD `auth.password` (RB). */
  password: string | undefined;
}

/** Whether the credentials hold one of `keys`; always true when no key is configured. */
export function v2Authorized(keys: readonly string[], offered: V2Credentials): boolean {
  if (keys.length === 0) return true;
  const candidates = [...offered.apiKeys, basicPassword(offered.authorization), offered.password];
  return candidates.some((c) => c !== undefined && keys.some((k) => same(k, c)));
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function same(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

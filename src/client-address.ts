/**
 * Where a request comes from, for limits and cookies: the peer address, or with TRUST_PROXY
 * what the proxies forwarded (`X-Forwarded-For`, `X-Forwarded-Proto`). Shared by the REST server,
 * CometD and the connection guard.
 *
 * Each proxy appends the address of the peer it saw to `X-Forwarded-For`. With N trusted proxies
 * in front of parley, the client is the N-th entry from the end: the one the outermost trusted
 * proxy appended. Entries before it are whatever the client sent, and a client that could pick
 * its own address would get a fresh allowance of every per-address limit with each request.
 */
import type { IncomingMessage } from "node:http";
import { isIPv6 } from "node:net";
import type { TLSSocket } from "node:tls";

/** How many proxies in front of parley append to X-Forwarded-For and are trusted (TRUST_PROXY); 0: none. */
export type ProxyTrust = number;

export function clientAddress(req: IncomingMessage, trustProxy: ProxyTrust): string {
  if (trustProxy > 0) {
    const forwarded = listItemFromEnd(req.headers["x-forwarded-for"], trustProxy);
    if (forwarded !== null) return limitKey(forwarded.slice(0, 64));
  }
  return limitKey(req.socket.remoteAddress ?? "unknown");
}

/**
 * An address as per-address limits count it. An IPv6 client is its /64: one home or phone gets
 * a whole /64, so each of its addresses alone would be a fresh allowance of every limit. An
 * IPv4-mapped IPv6 address is its IPv4 address. Anything else (a hostname a proxy forwarded) is
 * taken as it is.
 */
export function limitKey(address: string): string {
  const plain = address.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(plain);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(plain)) return address;
  return `${expandIPv6(plain).slice(0, 4).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, `::` filled in (an embedded IPv4 tail counts as two). */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":")).flatMap((g) => (g.includes(".") ? ["0", "0"] : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => "0");
  return [...left, ...zeros, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
}

/** Whether the client reached parley over HTTPS, directly or through a trusted proxy. */
export function cameOverHttps(req: IncomingMessage, trustProxy: ProxyTrust): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  // Read as X-Forwarded-For is, and as fastify reads it: a client's own entries come first.
  return trustProxy > 0 && listItemFromEnd(req.headers["x-forwarded-proto"], trustProxy)?.toLowerCase() === "https";
}

/** The `n`-th entry from the end of a comma-separated header (repeated headers joined, as proxies read them); the first when there are fewer. */
function listItemFromEnd(header: string | string[] | undefined, n: number): string | null {
  const entries = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",");
  const entry = entries[Math.max(0, entries.length - n)]?.trim();
  return entry === undefined || entry === "" ? null : entry;
}

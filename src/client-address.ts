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

/** How many proxies in front of parley append to X-Forwarded-For and are trusted (TRUST_PROXY); 0: none. */
export type ProxyTrust = number;
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

export function clientAddress(req: IncomingMessage, trustProxy: ProxyTrust): string {
  if (trustProxy > 0) {
    const forwarded = listItemFromEnd(req.headers["x-forwarded-for"], trustProxy);
    if (forwarded !== null) return forwarded.slice(0, 64);
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** Whether the client reached parley over HTTPS, directly or through a trusted proxy. */
export function cameOverHttps(req: IncomingMessage, trustProxy: ProxyTrust): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  return trustProxy > 0 && firstListItem(req.headers["x-forwarded-proto"])?.toLowerCase() === "https";
}

/** The `n`-th entry from the end of a comma-separated header (repeated headers joined, as proxies read them); the first when there are fewer. */
function listItemFromEnd(header: string | string[] | undefined, n: number): string | null {
  const entries = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",");
  const entry = entries[Math.max(0, entries.length - n)]?.trim();
  return entry === undefined || entry === "" ? null : entry;
}

function firstListItem(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(",")[0]?.trim();
  return first === undefined || first === "" ? null : first;
}

/**
 * Where a request comes from, for limits and cookies: the peer address, or with TRUST_PROXY
 * what the proxy forwarded (`X-Forwarded-For`, `X-Forwarded-Proto`). Shared by the REST server,
 * CometD and the connection guard.
 *
 * The client is the last `X-Forwarded-For` entry: the one the trusted proxy appended for the
 * peer it saw. Entries before it are whatever the client sent, and a client that could pick
 * its own address would get a fresh allowance of every per-address limit with each request.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = lastListItem(req.headers["x-forwarded-for"]);
    if (forwarded !== null) return forwarded.slice(0, 64);
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** Whether the client reached parley over HTTPS, directly or through a trusted proxy. */
export function cameOverHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  return trustProxy && firstListItem(req.headers["x-forwarded-proto"])?.toLowerCase() === "https";
}

function lastListItem(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header.at(-1) : header;
  const last = value?.split(",").at(-1)?.trim();
  return last === undefined || last === "" ? null : last;
}

function firstListItem(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(",")[0]?.trim();
  return first === undefined || first === "" ? null : first;
}

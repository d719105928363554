/**
 * Where a request comes from, for limits and cookies: the peer address, or with TRUST_PROXY
 * what the proxy forwarded (the first `X-Forwarded-For` entry, as fastify reads it, and
 * `X-Forwarded-Proto`). Shared by the REST server, CometD and the connection guard.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = firstListItem(req.headers["x-forwarded-for"]);
    if (forwarded !== null) return forwarded.slice(0, 64);
  }
  return req.socket.remoteAddress ?? "unknown";
}

/** Whether the client reached parley over HTTPS, directly or through a trusted proxy. */
export function cameOverHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  return trustProxy && firstListItem(req.headers["x-forwarded-proto"])?.toLowerCase() === "https";
}

function firstListItem(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(",")[0]?.trim();
  return first === undefined || first === "" ? null : first;
}

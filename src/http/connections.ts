/**
 * The TCP side of the HTTP server, for every path it serves (REST, CometD long-polling,
 * WebSocket upgrades): a cap on open connections per peer address, and a deadline for the
 * first request, since Node closes a connection that never sends a byte only when the peer
 * does. The other timeouts (headers, whole request, keep-alive) are Node's own, set where the
 * server is created.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { limitKey } from "../client-address.ts";
import type { Logger } from "../logger.ts";

export interface ConnectionLimits {
  /** Open connections from one peer address; 0: no cap. */
  maxPerIp: number;
  /** A connection that has not sent a whole request head by then is closed, milliseconds. */
  firstRequestTimeoutMs: number;
}

export function guardConnections(server: Server, limits: ConnectionLimits, logger: Logger): void {
  const openByAddress = new Map<string, number>();
  const firstRequestTimers = new WeakMap<Socket, NodeJS.Timeout>();

  server.on("connection", (socket: Socket) => {
    const address = limitKey(socket.remoteAddress ?? "unknown");
    const open = (openByAddress.get(address) ?? 0) + 1;
    if (limits.maxPerIp > 0 && open > limits.maxPerIp) {
      logger.debug({ address }, "connection refused: too many from one address");
      socket.destroy();
      return;
    }
    openByAddress.set(address, open);
    const timer = setTimeout(() => socket.destroy(), limits.firstRequestTimeoutMs);
    timer.unref();
    firstRequestTimers.set(socket, timer);
    socket.once("close", () => {
      clearTimeout(timer);
      const left = (openByAddress.get(address) ?? 1) - 1;
      if (left > 0) openByAddress.set(address, left);
      else openByAddress.delete(address);
    });
  });

  const firstRequest = (socket: Socket) => {
    const timer = firstRequestTimers.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    firstRequestTimers.delete(socket);
  };
  server.on("request", (req) => firstRequest(req.socket));
  server.on("upgrade", (req) => firstRequest(req.socket));
}

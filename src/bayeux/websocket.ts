/**
 * The WebSocket binding (the `ws` package, the only importer): each frame is a batch, each
 * batch's replies go back as one frame.
 *
 * A socket is bound to one identity for its life: the one its upgrade proved (headers), or else
 * the first one a message claims in its `ext` (browsers cannot send headers on an upgrade, see
 * endpoints.ts). Until it is bound, every clientId is unknown to it; a claim of another identity
 * closes it. A protocol error (bad frame, oversized message, invalid UTF-8) closes that socket
 * alone with the code ws chose for it; a peer that stops answering pings, or sends nothing for
 * longer than a live client ever waits, is closed too. So is a peer that stops reading: past
 * `maxBufferedBytes` waiting for it, nothing more is sent and the socket is cut (what was not
 * pushed stays queued for the client's next connect).
 */
import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { clientAddress, type ProxyTrust } from "../client-address.ts";
import type { Logger } from "../logger.ts";
import type { RequestContext } from "./context.ts";
import type { Connection, Session } from "./session.ts";
import type { BayeuxEngine } from "./engine.ts";
import { isRefused, type EndpointBinding, type RefusedIdentity } from "./endpoints.ts";
import type { HttpLimits } from "./long-polling.ts";
import { parseBatch, serializeBatch } from "./protocol.ts";
import { RateLimiter } from "../access/rate-limit.ts";

export interface WebSocketOptions {
  trustProxy: ProxyTrust;
  /** A ping goes out this often; a socket that has not answered the previous one is closed. */
  pingIntervalMs: number;
  /** A socket that has sent no message for this long is closed (a live client connects more often). */
  idleTimeoutMs: number;
  /** Bytes already waiting to be written to a peer past which nothing more is sent to it and it is cut. */
  maxBufferedBytes: number;
  /**
   * Messages a second the WebSockets of one address may send to an anonymous endpoint (in
   * bursts of as many); past it their sockets stop being read until the address is back within it.
   */
  maxMessagesPerSecondPerIp: number;
}

export interface WebSocketBinding {
  close(): Promise<void>;
  clients(): number;
  /** Bytes waiting to be written to every open socket (for tests and monitoring). */
  bufferedBytes(): number;
  /** Sockets not being read now, their address past WS_MAX_MESSAGES_PER_SECOND_PER_IP (for tests and monitoring). */
  pausedSockets(): number;
}

/** Close codes (RFC 6455 §7.4.1). */
const GOING_AWAY = 1001;
const UNSUPPORTED_DATA = 1003;
const POLICY_VIOLATION = 1008;
const INTERNAL_ERROR = 1011;

interface Liveness {
  answeredPing: boolean;
  lastMessageAt: number;
}

export function attachWebSocket(
  server: Server,
  engine: BayeuxEngine,
  bindings: EndpointBinding[],
  limits: HttpLimits,
  options: WebSocketOptions,
  logger: Logger,
): WebSocketBinding {
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const messageRate = new RateLimiter({ burst: options.maxMessagesPerSecondPerIp, refillMs: 1000, now: Date.now });
  const byPath = new Map(bindings.map((b) => [b.path, b]));
  const liveness = new Map<WebSocket, Liveness>();
  /** Each socket's endpoint, request context (whose identity may be bound later, by an ext) and the credentials its upgrade presented. */
  const bound = new Map<WebSocket, { endpoint: string; ctx: RequestContext; credentials: readonly string[] }>();
  // A socket stays bound to its identity: once that is revoked, destroying its sessions is not
  // enough (it could handshake again), so the socket is closed. A logout revokes only what its
  // credentials opened: those sockets close, with the sessions handshaken over them.
  engine.onRevoke((endpoint, identity, credentials) => {
    for (const [ws, socket] of bound) {
      if (socket.endpoint !== endpoint || socket.ctx.identity !== identity) continue;
      if (credentials !== undefined && !socket.credentials.some((c) => credentials.includes(c))) continue;
      for (const session of [...(socket.ctx.connection?.sessions ?? [])]) engine.destroy(session);
      ws.close(POLICY_VIOLATION, "credentials revoked");
    }
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws owns the socket, an error on it must not reach the process.
    socket.on("error", () => socket.destroy());
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const binding = byPath.get(q < 0 ? url : url.slice(0, q));
    if (binding === undefined) {
      socket.destroy();
      return;
    }
    Promise.resolve(binding.requestIdentity(req, new URLSearchParams(q < 0 ? "" : url.slice(q + 1)))).then(
      (identity) => {
        if (socket.destroyed) return;
        if (isRefused(identity)) return refuseUpgrade(socket, identity);
        wss.handleUpgrade(req, socket, head, (ws) => {
          liveness.set(ws, { answeredPing: true, lastMessageAt: Date.now() });
          ws.on("pong", () => {
            const live = liveness.get(ws);
            if (live !== undefined) live.answeredPing = true;
          });
          ws.on("close", () => {
            liveness.delete(ws);
            bound.delete(ws);
          });
          const ip = clientAddress(req, options.trustProxy);
          const served = serveSocket(engine, binding, ws, identity, ip, limits, options.maxBufferedBytes, liveness, logger);
          if (binding.policy.anonymous) throttleReading(ws, ip, messageRate);
          bound.set(ws, { ...served, credentials: binding.credentialsOf?.(req) ?? [] });
        });
      },
      (err: unknown) => {
        logger.error({ err }, "bayeux websocket authentication failed");
        socket.destroy();
      },
    );
  });

  const heartbeat = setInterval(() => {
    const idleSince = Date.now() - options.idleTimeoutMs;
    for (const [ws, live] of liveness) {
      // A socket already closing is on its way out (and ping() would throw on it).
      if (ws.readyState !== ws.OPEN) continue;
      if (!live.answeredPing) ws.terminate();
      else if (live.lastMessageAt < idleSince) ws.close(GOING_AWAY, "idle");
      else {
        live.answeredPing = false;
        ws.ping();
      }
    }
  }, options.pingIntervalMs);
  heartbeat.unref();

  return {
    clients: () => wss.clients.size,
    bufferedBytes: () => {
      let bytes = 0;
      for (const ws of wss.clients) if (ws.readyState === ws.OPEN) bytes += ws.bufferedAmount;
      return bytes;
    },
    pausedSockets: () => {
      let paused = 0;
      for (const ws of wss.clients) if (ws.isPaused) paused++;
      return paused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const ws of wss.clients) ws.close(GOING_AWAY, "server shutting down");
        wss.close(() => resolve());
      }),
  };
}

/**
 * Over a WebSocket a client need not wait for one batch's reply before sending the next, so a
 * few sockets sending as fast as they can would keep the event loop to themselves (the probe saw
 * a bystander's requests wait 400 ms). Each batch's messages are spent from its address's
 * allowance; past it, the socket is not read until the address is back within it: TCP then holds
 * the sender back, and nothing it sent is lost.
 */
function throttleReading(ws: WebSocket, ip: string, rate: RateLimiter): void {
  ws.on("message", (data: Buffer) => {
    // Every Bayeux message names its channel: a cheap count of a batch's messages (one of a
    // hostile client's data fields named so only costs it more).
    const wait = rate.spend(ip, Math.max(1, occurrences(data, CHANNEL_KEY)));
    if (wait === 0 || ws.isPaused) return;
    ws.pause();
    setTimeout(() => {
      if (ws.readyState === ws.OPEN) ws.resume();
    }, wait).unref();
  });
}

const CHANNEL_KEY = Buffer.from('"channel"');

function occurrences(data: Buffer, needle: Buffer): number {
  let found = 0;
  for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + needle.length)) found++;
  return found;
}

function serveSocket(
  engine: BayeuxEngine,
  binding: EndpointBinding,
  ws: WebSocket,
  upgradeIdentity: string | null,
  ip: string,
  limits: HttpLimits,
  maxBufferedBytes: number,
  liveness: Map<WebSocket, Liveness>,
  logger: Logger,
): { endpoint: string; ctx: RequestContext } {
  // ws has already answered a protocol error with the right close code; without a listener
  // the 'error' event would end the process.
  ws.on("error", (err: Error & { code?: string }) => {
    logger.debug({ code: err.code, message: err.message }, "bayeux websocket closed on a protocol error");
  });
  const closeCallbacks = new Set<() => void>();
  // Methods and inline arrows, not named closures: under tsx (esbuild keepNames) each named
  // closure gets its name redefined, which costs every socket a property array per function.
  const connection: Connection & { send(text: string): boolean; release(): void } = {
    sessions: new Set<Session>(),
    push(messages: readonly string[]): boolean {
      return connection.send(`[${messages.join(",")}]`);
    },
    /**
     * Sends a frame, unless the peer is too far behind: past maxBufferedBytes not yet written to
     * it (ws's bufferedAmount: the socket's writable length and what ws holds before it), nothing
     * more goes and the socket is cut. Terminated, not closed: a close frame would wait behind the
     * same full buffer. It is released at once, so nothing queued meanwhile is answered into a
     * dead socket. False when nothing was sent.
     */
    send(text: string): boolean {
      if (ws.readyState !== ws.OPEN) return false;
      if (ws.bufferedAmount > maxBufferedBytes) {
        logger.warn({ buffered: ws.bufferedAmount, limit: maxBufferedBytes }, "bayeux websocket cut: its peer is not reading");
        ws.terminate();
        connection.release();
        return false;
      }
      ws.send(text);
      return true;
    },
    /**
     * The socket is gone: its held connects are answered with nothing, and what was pushed and
     * not acknowledged goes again in the next connect reply, on any connection.
     */
    release(): void {
      for (const callback of closeCallbacks) callback();
      closeCallbacks.clear();
      for (const session of connection.sessions) if (session.sink === connection) session.losePushes();
    },
  };
  ws.on("close", () => connection.release());
  const ctx: RequestContext = {
    transport: "websocket",
    identity: upgradeIdentity,
    browserId: null,
    ip,
    connection,
    onClose(callback) {
      closeCallbacks.add(callback);
      return () => closeCallbacks.delete(callback);
    },
  };
  // Claims are settled in frame order; a batch then runs without waiting for earlier ones
  // (a held connect must not hold up the frames after it).
  let claims: Promise<unknown> = Promise.resolve();
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const live = liveness.get(ws);
    if (live !== undefined) live.lastMessageAt = Date.now();
    const messages = isBinary ? "binary frame" : parseBatch(data.toString("utf8"), limits);
    if (typeof messages === "string") {
      ws.close(UNSUPPORTED_DATA, "not a Bayeux batch");
      return;
    }
    claims = claims
      .then(() => bindIdentity(binding, ctx, messages))
      .then((bound) => {
        if (!bound) return ws.close(POLICY_VIOLATION, "one identity per connection");
        engine
          .process(binding.policy.name, messages, ctx)
          .then((items) => {
            if (items.length > 0) connection.send(serializeBatch(items));
          })
          .catch(failed);
      })
      .catch(failed);
  });

  function failed(err: unknown) {
    logger.error({ err }, "bayeux websocket batch failed");
    ws.close(INTERNAL_ERROR, "server error");
  }
  return { endpoint: binding.policy.name, ctx };
}

/** Answers an upgrade refused before any identity was proven with its status and a Bayeux body. */
function refuseUpgrade(socket: Duplex, identity: RefusedIdentity): void {
  const { status, error, retryAfterSeconds } = identity.refused;
  const body = serializeBatch([{ channel: "/meta/handshake", successful: false, error }]);
  const retryAfter = retryAfterSeconds === undefined ? "" : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}Connection: close\r\n\r\n${body}`,
  );
}

/**
 * Binds an unbound socket to the first identity a message claims (and proves) in its ext; false
 * when a bound socket sees a claim of another identity, or one that cannot be proven. An unbound
 * socket stays unbound on an unproven claim: its handshake is then refused like an HTTP one.
 */
async function bindIdentity(binding: EndpointBinding, ctx: RequestContext, messages: readonly unknown[]): Promise<boolean> {
  for (const message of messages) {
    if (typeof message !== "object" || message === null) continue;
    const claimed = await binding.extIdentity((message as { ext?: unknown }).ext);
    if (claimed === undefined || (claimed === null && ctx.identity === null)) continue;
    if (ctx.identity === null) ctx.identity = claimed;
    else if (ctx.identity !== claimed) return false;
  }
  return true;
}

/**
 * The WebSocket binding (the `ws` package, the only importer): each frame is a batch, each
 * batch's replies go back as one frame. A socket serves one client; the clientId is what names
 * it after the handshake (browsers cannot send `gms_user` on the upgrade, see endpoints.ts).
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "../logger.ts";
import type { BayeuxEngine, RequestContext } from "./engine.ts";
import type { EndpointBinding } from "./endpoints.ts";
import type { HttpLimits } from "./long-polling.ts";
import { parseBatch, serializeBatch } from "./protocol.ts";

export interface WebSocketBinding {
  close(): Promise<void>;
  clients(): number;
}

export function attachWebSocket(
  server: Server,
  engine: BayeuxEngine,
  bindings: EndpointBinding[],
  limits: HttpLimits,
  logger: Logger,
): WebSocketBinding {
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const byPath = new Map(bindings.map((b) => [b.path, b]));
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const binding = byPath.get(q < 0 ? url : url.slice(0, q));
    if (binding === undefined) {
      socket.destroy();
      return;
    }
    const identity = binding.requestIdentity(req, new URLSearchParams(q < 0 ? "" : url.slice(q + 1)));
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(engine, binding, ws, identity, limits, logger));
  });
  return {
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.close(1001, "server shutting down");
        wss.close(() => resolve());
      }),
  };
}

function serveSocket(
  engine: BayeuxEngine,
  binding: EndpointBinding,
  ws: WebSocket,
  identity: string | null,
  limits: HttpLimits,
  logger: Logger,
): void {
  const closeCallbacks = new Set<() => void>();
  ws.on("close", () => {
    for (const callback of closeCallbacks) callback();
    closeCallbacks.clear();
  });
  const ctx: RequestContext = {
    transport: "websocket",
    identity,
    browserId: null,
    onClose(callback) {
      closeCallbacks.add(callback);
      return () => closeCallbacks.delete(callback);
    },
  };
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const messages = isBinary ? "binary frame" : parseBatch(data.toString("utf8"), limits.maxBatch);
    if (typeof messages === "string") {
      ws.close(1003, "not a Bayeux batch");
      return;
    }
    engine
      .process(binding.policy.name, messages, ctx)
      .then((items) => {
        if (items.length > 0 && ws.readyState === ws.OPEN) ws.send(serializeBatch(items));
      })
      .catch((err: unknown) => {
        logger.error({ err }, "bayeux websocket batch failed");
        ws.close(1011, "server error");
      });
  });
}

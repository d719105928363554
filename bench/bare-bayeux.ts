/** What the benchmarks' bare servers share: agent sockets that speak just enough Bayeux, and listening on 127.0.0.1. */
import type { Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * Accepts Bayeux-shaped WebSocket clients on `server`: handshakes and subscriptions are answered,
 * connects are held forever (messages are pushed instead), so a client carries on as with parley.
 */
export function acceptBayeuxSockets(server: Server, onSocket: (ws: WebSocket) => void): void {
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => {
    onSocket(ws);
    ws.on("message", (raw: Buffer) => {
      const replies = (JSON.parse(raw.toString()) as { channel: string }[]).map((m) => ({ ...m, successful: true, clientId: "bare" }));
      if (replies.some((r) => r.channel !== "/meta/connect")) ws.send(JSON.stringify(replies.filter((r) => r.channel !== "/meta/connect")));
    });
  });
}

/** Listens on a free port of 127.0.0.1; resolves to the base URL. */
export async function listenLocally(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
}

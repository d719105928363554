/**
 * Idle and slow connections are closed, and one address cannot hold every connection: a
 * connection that never speaks, headers that never end, an idle keep-alive, a WebSocket that
 * stops answering pings or never sends a message.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import WebSocket from "ws";
import { closed, openSocket, rawWebSocket } from "../support/sockets.ts";
import { get, withServer } from "../support/server.ts";

describe("HTTP connections", () => {
  it("closes a connection that never sends a byte (HTTP_FIRST_REQUEST_TIMEOUT_MS)", () =>
    withServer({ HTTP_FIRST_REQUEST_TIMEOUT_MS: "200" }, async (server) => {
      const socket = await openSocket(server.url);
      await closed(socket, 5000);
    }));

  it("closes a connection whose headers never end (HTTP_HEADERS_TIMEOUT_MS)", () =>
    withServer({ HTTP_HEADERS_TIMEOUT_MS: "300", HTTP_FIRST_REQUEST_TIMEOUT_MS: "60000" }, async (server) => {
      const socket = await openSocket(server.url);
      socket.on("error", () => {});
      socket.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      await closed(socket, 5000);
    }));

  it("closes an idle keep-alive connection (HTTP_KEEP_ALIVE_TIMEOUT_MS)", () =>
    withServer({ HTTP_KEEP_ALIVE_TIMEOUT_MS: "200" }, async (server) => {
      const socket = await openSocket(server.url);
      socket.on("data", () => {});
      socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      await closed(socket, 5000);
    }));

  it("refuses connections past MAX_CONNECTIONS_PER_IP from one address, and takes new ones once they close", () =>
    withServer({ MAX_CONNECTIONS_PER_IP: "3", HTTP_FIRST_REQUEST_TIMEOUT_MS: "60000" }, async (server) => {
      const held = [await openSocket(server.url), await openSocket(server.url), await openSocket(server.url)];
      const refused = await openSocket(server.url);
      await closed(refused, 5000);
      assert.equal(
        held.some((s) => s.destroyed),
        false,
      );
      for (const socket of held) {
        socket.destroy();
        await closed(socket);
      }
      // The server counts the closes as it sees them: retry until a slot is free.
      const deadline = Date.now() + 5000;
      for (;;) {
        try {
          assert.equal((await get(`${server.url}/health`)).status, 200);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
      }
    }));
});

describe("WebSocket connections", () => {
  it("closes a socket that does not answer pings (WS_PING_INTERVAL_MS)", () =>
    withServer({ WS_PING_INTERVAL_MS: "100" }, async (server) => {
      const { socket } = await rawWebSocket(server.url, "/genesys/cometd", { gms_user: "silent" });
      await closed(socket, 5000);
    }));

  it("closes a socket that answers pings but never sends a message (1001)", () =>
    withServer({ WS_PING_INTERVAL_MS: "100", BAYEUX_CONNECT_TIMEOUT_MS: "100", BAYEUX_MAX_INTERVAL_MS: "100" }, async (server) => {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/genesys/cometd`, { headers: { gms_user: "idle" } });
      const code = new Promise<number>((resolve) => ws.once("close", (c) => resolve(c)));
      ws.on("error", () => {});
      assert.equal(await code, 1001);
    }));
});

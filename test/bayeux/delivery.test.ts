/**
 * Delivery guarantees: nothing lost when a long-poll response is dropped (ack extension,
 * through a dropping proxy), re-handshake after 402, expiry and the per-client limits.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import WebSocket from "ws";
import { after, before, describe, it } from "node:test";
import { rawBayeux } from "../support/bayeux.ts";
import { cometdClient } from "../support/cometd.ts";
import { manualClock, startServer, until, type TestServer } from "../support/server.ts";

/** Forwards to `target`; drops (destroys) the first `drops` /meta/connect responses that carry data. */
function droppingProxy(target: string, drops: number): Promise<{ url: string; dropped: () => number; server: Server }> {
  let dropped = 0;
  const server = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on("data", (c: Buffer) => chunks.push(c));
      up.on("end", () => {
        const body = Buffer.concat(chunks);
        if (dropped < drops && body.includes('"data"') && body.includes("/meta/connect")) {
          dropped++;
          res.destroy();
          return;
        }
        res.writeHead(up.statusCode ?? 500, up.headers);
        res.end(body);
      });
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, dropped: () => dropped, server });
    }),
  );
}

describe("acknowledgement extension", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it("re-delivers, in order and once, what a dropped long-poll response carried", async () => {
    const proxy = await droppingProxy(server.url, 2);
    const c = cometdClient(`${proxy.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "acked" });
    try {
      await c.handshake();
      await c.subscribe("/_genesys");
      for (let i = 0; i < 5; i++) server.app.bayeux.deliver("customer", "acked", "/_genesys", { i });
      await until(() => proxy.dropped() >= 1, 5000, "a dropped response");
      for (let i = 5; i < 10; i++) server.app.bayeux.deliver("customer", "acked", "/_genesys", { i });
      const received = await c.waitFor(10, 10_000);
      assert.equal(proxy.dropped(), 2, "two responses with data were dropped");
      assert.deepEqual(
        received.map((m) => m.data.i),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
    } finally {
      await c.disconnect();
      proxy.server.close();
    }
  });
});

describe("unknown client and re-handshake", () => {
  it("the official client handshakes again after 402 and, re-subscribed, receives again", async () => {
    const server = await startServer();
    const c = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "again" });
    let handshakes = 0;
    c.cometd.addListener("/meta/handshake", (m) => {
      if (!m.successful) return;
      handshakes++;
      void c.subscribe("/_genesys");
    });
    try {
      await c.handshake();
      await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
      const [session] = server.app.bayeux.sessions.values();
      assert.ok(session);
      server.app.bayeux.destroy(session);
      await until(() => handshakes === 2 && server.app.bayeux.stats().parked === 1, 5000, "a second handshake");
      server.app.bayeux.deliver("customer", "again", "/_genesys", { after: true });
      const [message] = await c.waitFor(1);
      assert.deepEqual(message?.data, { after: true });
    } finally {
      await c.disconnect();
      await server.close();
    }
  });
});

describe("limits", () => {
  it("forgets a client that does not come back within maxInterval", async () => {
    const clock = manualClock(Date.now());
    const server = await startServer({ now: clock.now, env: { BAYEUX_MAX_INTERVAL_MS: "10000" } });
    try {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const { clientId } = await bx.handshake("idle");
      clock.advance(11_000);
      await until(() => !server.app.bayeux.sessions.has(clientId), 3000, "expiry");
      const reply = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: "idle" });
      assert.equal(reply.body[0].error, "402::Unknown client");
    } finally {
      await server.close();
    }
  });

  it("drops a client whose queue overflows; it must handshake again", async () => {
    const server = await startServer({ env: { BAYEUX_MAX_QUEUE: "5" } });
    try {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const { clientId } = await bx.handshake("slow");
      await bx.post([{ channel: "/meta/subscribe", clientId, subscription: "/_genesys" }], { gms_user: "slow" });
      for (let i = 0; i < 6; i++) server.app.bayeux.deliver("customer", "slow", "/_genesys", { i });
      assert.equal(server.app.bayeux.sessions.has(clientId), false);
    } finally {
      await server.close();
    }
  });

  it("at BAYEUX_MAX_CLIENTS_PER_IDENTITY, refuses while every client is alive and then replaces only a gone one", async () => {
    const clock = manualClock(Date.now());
    const env = { BAYEUX_MAX_CLIENTS_PER_IDENTITY: "3", BAYEUX_MAX_INTERVAL_MS: "10000" };
    const server = await startServer({ now: clock.now, env });
    let held: Promise<unknown> = Promise.resolve();
    try {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await bx.handshake("many")).clientId);
      const connect = [{ channel: "/meta/connect", clientId: ids[0], connectionType: "long-polling" }];
      await bx.post(connect, { gms_user: "many" });
      held = bx.post(connect, { gms_user: "many" });
      await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");

      const refused = await bx.post([{ channel: "/meta/handshake", version: "1.0" }], { gms_user: "many" });
      assert.equal(refused.body[0].error, "403::too many clients");

      // Unseen for half of maxInterval and holding no connect: gone, so the next one takes its place.
      clock.advance(6000);
      const { clientId } = await bx.handshake("many");
      assert.deepEqual(
        [...ids, clientId].map((id) => server.app.bayeux.sessions.has(id)),
        [true, false, true, true],
        "the client holding a connect stays; the least recently seen gone one is replaced",
      );
    } finally {
      await server.close();
    }
    await held;
  });
});

describe("shutdown", () => {
  it("answers held connects at once, telling clients to handshake again elsewhere", async () => {
    const server = await startServer();
    const bx = rawBayeux(`${server.url}/genesys/cometd`);
    const { clientId } = await bx.handshake("leaving");
    await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: "leaving" });
    const held = bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling", id: "h" }], { gms_user: "leaving" });
    await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
    await server.close();
    const reply = await held;
    assert.deepEqual(reply.body[0].advice, { reconnect: "handshake", interval: 0 });
  });
});

describe("acknowledgement over WebSocket", () => {
  it("pushes as messages arrive; after the socket dies, re-sends what was not acknowledged, then moves on", async () => {
    const server = await startServer();
    const url = `${server.url.replace("http", "ws")}/genesys/cometd`;
    const open = async () => {
      const ws = new WebSocket(url, { headers: { gms_user: "wsack" } });
      await once(ws, "open");
      const frames: Record<string, unknown>[][] = [];
      ws.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>[]));
      /** Sends a batch; resolves with the next frame the server sends (a reply, or a push). */
      const send = async (messages: object[]) => {
        const before = frames.length;
        ws.send(JSON.stringify(messages));
        return next(before);
      };
      const next = async (before = frames.length) => {
        await until(() => frames.length > before, 5000, "a frame");
        return frames[before] ?? [];
      };
      return { ws, send, next };
    };
    try {
      const first = await open();
      const [hs] = await first.send([{ channel: "/meta/handshake", version: "1.0", ext: { ack: true } }]);
      const clientId = String(hs?.clientId);
      await first.send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: 0 } }]);
      await first.send([{ channel: "/meta/subscribe", clientId, subscription: "/_genesys" }]);
      const held = first.send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: 0 } }]);
      await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
      server.app.bayeux.deliver("customer", "wsack", "/_genesys", { n: 1 });
      const pushed = await held;
      assert.deepEqual(
        pushed.map((m) => [m.channel, m.data]),
        [["/_genesys", { n: 1 }]],
        "pushed alone, as it arrived",
      );
      assert.equal(server.app.bayeux.stats().parked, 1, "the connect stays held");
      // The client never processed that frame: a new socket, the old acknowledgement.
      first.ws.terminate();
      await until(() => server.app.bayeux.stats().parked === 0, 5000, "the held connect released");
      server.app.bayeux.deliver("customer", "wsack", "/_genesys", { n: 2 });
      const second = await open();
      const again = await second.send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: 0 } }]);
      assert.deepEqual(
        again.filter((m) => m.channel === "/_genesys").map((m) => m.data),
        [{ n: 1 }, { n: 2 }],
      );
      const batch = Number((again.find((m) => m.channel === "/meta/connect")?.ext as { ack?: number } | undefined)?.ack);
      const parkedAgain = second.send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: batch } }]);
      await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
      server.app.bayeux.deliver("customer", "wsack", "/_genesys", { n: 3 });
      assert.deepEqual(
        (await parkedAgain).map((m) => m.data),
        [{ n: 3 }],
        "pushed on the new socket",
      );
      // The next connect answers the held one: it announces the batch covering n3 and sends nothing again.
      const reply = await second.send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: batch } }]);
      assert.deepEqual(
        reply.map((m) => m.channel),
        ["/meta/connect"],
        "acknowledged and pushed messages are not sent again",
      );
      assert.equal((reply[0]?.ext as { ack?: number } | undefined)?.ack, batch + 1);
      second.ws.terminate();
    } finally {
      await server.close();
    }
  });
});

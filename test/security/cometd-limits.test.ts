/**
 * What one peer can make the CometD server hold is bounded: sessions per batch, per WebSocket,
 * per address and in all; clients per identity without evicting live ones; subscription bytes;
 * channel segments.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rawBayeux, wsBayeux } from "../support/bayeux.ts";
import { get, present, startServer, until, withServer } from "../support/server.ts";

const handshake = (user: string) => ({ channel: "/meta/handshake", version: "1.0", ext: { gms_user: user } });

describe("handshakes per batch", () => {
  it("a WebSocket frame of 100 handshakes under 100 names creates one session", () =>
    withServer({}, async (server) => {
      const socket = await wsBayeux(server.url, "/genesys/cometd");
      const batch = Array.from({ length: 100 }, (_, i) => handshake(`name${i}`));
      socket.ws.send(JSON.stringify(batch));
      assert.equal(await socket.closeCode, 1008, "a socket serves one identity: 100 names close it");
      assert.equal(server.app.bayeux.sessions.size, 0);

      const one = await wsBayeux(server.url, "/genesys/cometd");
      const replies = await one.send(Array.from({ length: 100 }, () => handshake("same")));
      assert.equal(replies.filter((r) => r.successful === true).length, 1);
      assert.equal(replies[1]?.error, "400::at most one /meta/handshake per batch");
      assert.equal(server.app.bayeux.sessions.size, 1);
      one.ws.close();
    }));

  it("an HTTP batch of 16 handshakes creates one session", () =>
    withServer({}, async (server) => {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const reply = await bx.post(
        Array.from({ length: 16 }, () => ({ channel: "/meta/handshake", version: "1.0" })),
        { gms_user: "u" },
      );
      assert.equal(reply.body.filter((r: { successful: boolean }) => r.successful).length, 1);
      assert.equal(server.app.bayeux.sessions.size, 1);
    }));
});

describe("clients per identity", () => {
  it("claiming a live user's name and opening clients up to the cap does not evict them: 403::too many clients", () =>
    withServer({ BAYEUX_MAX_CLIENTS_PER_IDENTITY: "16", BAYEUX_CONNECT_TIMEOUT_MS: "60000" }, async (server) => {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const { clientId } = await bx.handshake("victim");
      const connect = [{ channel: "/meta/connect", clientId, connectionType: "long-polling" }];
      await bx.post(connect, { gms_user: "victim" });
      const held = bx.post(connect, { gms_user: "victim" });
      await until(() => server.app.bayeux.stats().parked === 1, 5000, "the victim's held connect");
      const errors: string[] = [];
      for (let i = 0; i < 16; i++) {
        const reply = await bx.post([{ channel: "/meta/handshake", version: "1.0" }], { gms_user: "victim" });
        if (reply.body[0].successful !== true) errors.push(reply.body[0].error);
      }
      assert.deepEqual(errors, ["403::too many clients"]);
      assert.equal(server.app.bayeux.sessions.has(clientId), true, "the victim's live client stays");
      server.app.bayeux.destroy(present(server.app.bayeux.sessions.get(clientId), "the victim's session"));
      await held;
    }));
});

describe("sessions", () => {
  it("per WebSocket: BAYEUX_MAX_SESSIONS_PER_CONNECTION", () =>
    withServer({ BAYEUX_MAX_SESSIONS_PER_CONNECTION: "2" }, async (server) => {
      const socket = await wsBayeux(server.url, "/genesys/cometd", { gms_user: "ws" });
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await socket.send([{ channel: "/meta/handshake", version: "1.0" }]))[0]);
      assert.deepEqual(
        results.map((r) => r?.error ?? "ok"),
        ["ok", "ok", "403::too many clients on this connection"],
      );
      socket.ws.close();
    }));

  it("per client address, the forwarded one behind TRUST_PROXY: BAYEUX_MAX_SESSIONS_PER_IP", () =>
    withServer({ BAYEUX_MAX_SESSIONS_PER_IP: "2", TRUST_PROXY: "true" }, async (server) => {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const from = (ip: string, user: string) =>
        bx.post([{ channel: "/meta/handshake", version: "1.0" }], { gms_user: user, "x-forwarded-for": `10.9.9.9, ${ip}` });
      const results = [];
      for (const [ip, user] of [
        ["203.0.113.1", "a"],
        ["203.0.113.1", "b"],
        ["203.0.113.1", "c"],
        ["203.0.113.2", "d"],
      ] as const) {
        results.push((await from(ip, user)).body[0].error ?? "ok");
      }
      assert.deepEqual(results, ["ok", "ok", "403::too many clients from this address", "ok"]);
    }));

  it("per node: BAYEUX_MAX_SESSIONS customers, told to handshake again later; agents keep room of their own", async () => {
    const agents = await startServer({
      env: { BAYEUX_MAX_SESSIONS: "2", BAYEUX_MAX_SESSIONS_PER_IP: "2" },
      authenticateAgent: (req) => (req.headers.authorization === "Bearer a1" ? "agent1" : null),
    });
    try {
      const bx = rawBayeux(`${agents.url}/genesys/cometd`);
      const replies = [];
      for (const user of ["a", "b", "c"]) replies.push((await bx.post([{ channel: "/meta/handshake", version: "1.0" }], { gms_user: user })).body[0]);
      assert.deepEqual(
        replies.map((r) => r.error ?? "ok"),
        ["ok", "ok", "403::too many clients on this server"],
      );
      assert.deepEqual(replies[2].advice, { reconnect: "handshake", interval: 10_000 }, "not 'none': the official client would give up for good");
      const desk = rawBayeux(`${agents.url}/api/v2/notifications`);
      for (let i = 0; i < 3; i++) {
        const reply = await desk.post([{ channel: "/meta/handshake", version: "1.0" }], { authorization: "Bearer a1" });
        assert.equal(reply.body[0].successful, true, "an agent's client past the customers' caps");
      }
    } finally {
      await agents.close();
    }
  });
});

describe("subscriptions and channels", () => {
  it("bounds the total length of one client's subscriptions: BAYEUX_MAX_SUBSCRIPTION_BYTES", () =>
    withServer({ BAYEUX_MAX_SUBSCRIPTION_BYTES: "600" }, async (server) => {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const { clientId } = await bx.handshake("subs");
      const long = (n: number) => `/c${n}/${"x".repeat(250)}`;
      const replies = [];
      for (let n = 0; n < 3; n++)
        replies.push((await bx.post([{ channel: "/meta/subscribe", clientId, subscription: long(n) }], { gms_user: "subs" })).body[0]);
      assert.deepEqual(
        replies.map((r) => r.error ?? "ok"),
        ["ok", "ok", "403::subscribed channel names may total at most 600 characters"],
      );
      const session = present(server.app.bayeux.sessions.get(clientId), "the subscriber's session");
      assert.equal(session.subscriptions.size, 2);
    }));

  it("refuses a channel of more than BAYEUX_MAX_CHANNEL_SEGMENTS segments with a 400 error, and stays responsive", () =>
    withServer({}, async (server) => {
      const bx = rawBayeux(`${server.url}/genesys/cometd`);
      const { clientId } = await bx.handshake("deep");
      const channel = `/service${"/a".repeat(251)}`;
      const published = await bx.post(
        Array.from({ length: 100 }, () => ({ channel, clientId, data: { pad: "x".repeat(500) } })),
        { gms_user: "deep" },
      );
      assert.equal(published.status, 200);
      assert.match(published.body[0].error, /^400:\/service\/a\/a.*:a channel has at most 32 segments$/);
      const subscribed = await bx.post([{ channel: "/meta/subscribe", clientId, subscription: `/x${"/a".repeat(40)}` }], { gms_user: "deep" });
      assert.match(subscribed.body[0].error, /^400:.*at most 32 segments$/);
      const ok = await bx.post([{ channel: "/meta/subscribe", clientId, subscription: `/x${"/a".repeat(30)}` }], { gms_user: "deep" });
      assert.equal(ok.body[0].successful, true, "32 segments are fine");
      assert.equal((await get(`${server.url}/health`)).status, 200);
    }));
});

describe("messages over WebSockets", () => {
  it("past WS_MAX_MESSAGES_PER_SECOND_PER_IP, an address's socket is not read until it is back within it; then it goes on, nothing lost", () =>
    withServer({ WS_MAX_MESSAGES_PER_SECOND_PER_IP: "50" }, async (server) => {
      const socket = await wsBayeux(server.url, "/genesys/cometd", { gms_user: "chatty" });
      const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ channel: "/meta/unsubscribe", clientId: "none", subscription: "/x", id: String(i) }));
      assert.equal((await socket.send(batch(40))).length, 40);
      const replies = await socket.send(batch(40));
      assert.equal(replies.length, 40, "what was received is answered");
      await until(() => server.app.websocket.pausedSockets() === 1, 5000, "the socket no longer read");
      await until(() => server.app.websocket.pausedSockets() === 0, 5000, "read again once the address is within its rate");
      assert.equal((await socket.send(batch(1))).length, 1);
      socket.ws.close();
    }));

  it("an agent's socket is not throttled: agents authenticate and are bounded per user", async () => {
    const server = await startServer({
      env: { WS_MAX_MESSAGES_PER_SECOND_PER_IP: "10" },
      authenticateAgent: (req) => (req.headers.authorization === "Bearer a1" ? "agent1" : null),
    });
    try {
      const socket = await wsBayeux(server.url, "/api/v2/notifications", { authorization: "Bearer a1" });
      const batch = Array.from({ length: 40 }, (_, i) => ({ channel: "/meta/unsubscribe", clientId: "none", subscription: "/x", id: String(i) }));
      for (let i = 0; i < 3; i++) assert.equal((await socket.send(batch)).length, 40);
      assert.equal(server.app.websocket.pausedSockets(), 0);
      socket.ws.close();
    } finally {
      await server.close();
    }
  });
});

/**
 * What a CometD client that stops reading makes the server hold is bounded. A WebSocket whose
 * peer is too far behind (WS_MAX_BUFFERED_BYTES waiting for it) is cut, and what was not pushed
 * waits in the client's queue for its next connect. Every queue is bounded in bytes
 * (BAYEUX_MAX_QUEUE_BYTES) as well as in messages, on every transport, messages pushed and not
 * acknowledged included. A client that reads is never cut or dropped, whatever passes through.
 * Both endpoints: customers (`gms_user`) and agents.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import WebSocket from "ws";
import { wsBayeux } from "../support/bayeux.ts";
import { cometdClient, type Transport } from "../support/cometd.ts";
import { closed, frame, rawWebSocket, textFrames } from "../support/sockets.ts";
import { call, startServer, until, type LogLine, type TestServer } from "../support/server.ts";

/** Agents prove who they are with `Authorization: Agent <name>` here (the agent API's own login has its tests). */
const authenticateAgent = (req: IncomingMessage) => {
  const value = req.headers.authorization;
  return typeof value === "string" && value.startsWith("Agent ") ? value.slice("Agent ".length) : null;
};

interface Endpoint {
  name: "customer" | "agent";
  path: string;
  headers(user: string): Record<string, string>;
  /** Where deliveries go, and the subscription that receives them. */
  channel: string;
  subscription: string;
}

const ENDPOINTS: Endpoint[] = [
  { name: "customer", path: "/genesys/cometd", headers: (user) => ({ gms_user: user }), channel: "/_genesys", subscription: "/_genesys" },
  {
    name: "agent",
    path: "/api/v2/notifications",
    headers: (user) => ({ authorization: `Agent ${user}` }),
    channel: "/v2/me/interactions",
    subscription: "/v2/me/**",
  },
];

const KIB = 1024;
/** A delivery of about `size` characters; `n` (under 10) tells them apart. */
const data = (n: number, size: number) => ({ n, pad: "x".repeat(size) });
/** What the server keeps for one delivery: the message serialised. */
const serialised = (endpoint: Endpoint, n: number, size: number) => JSON.stringify({ channel: endpoint.channel, data: data(n, size) }).length;
/** Lets the event loop run once (pushes go out in a microtask, socket events after it). */
const turn = () => new Promise((resolve) => setImmediate(resolve));

function start(env: Record<string, string>, logs?: { level: "info"; lines: LogLine[] }): Promise<TestServer> {
  // Clients here stay away for a while on purpose: they are not forgotten meanwhile.
  return startServer({ env: { BAYEUX_MAX_INTERVAL_MS: "60000", ...env }, authenticateAgent, logs });
}

/** Bayeux over a raw TCP socket: the test decides when it stops reading. */
async function rawClient(server: TestServer, endpoint: Endpoint, user: string) {
  const { socket, received } = await rawWebSocket(server.url, endpoint.path, endpoint.headers(user));
  const write = (messages: object[]) => socket.write(frame(0x81, Buffer.from(JSON.stringify(messages))));
  return {
    socket,
    write,
    /** Sends a batch; resolves with the next frame the server sends. */
    async send(messages: object[]): Promise<Record<string, any>[]> {
      const before = textFrames(received()).length;
      write(messages);
      await until(() => textFrames(received()).length > before, 5000, "a reply frame");
      return JSON.parse(textFrames(received())[before] ?? "[]") as Record<string, any>[];
    },
  };
}

/** Handshakes and subscribes over HTTP; the client then never connects. */
async function longPollingClient(server: TestServer, endpoint: Endpoint, user: string) {
  const post = (body: object[]) => call("POST", `${server.url}${endpoint.path}`, body, endpoint.headers(user));
  const handshake = await post([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }]);
  const clientId = String(handshake.body[0].clientId);
  const subscribed = await post([{ channel: "/meta/subscribe", clientId, subscription: endpoint.subscription }]);
  assert.equal(subscribed.body[0].successful, true);
  return { clientId, post };
}

/**
 * A WebSocket client that reads every frame and, as the official client does with the ack
 * extension, answers each connect reply with the next connect acknowledging its batch. (The
 * official client cannot send headers on an upgrade, as browsers cannot, so it cannot be an agent.)
 */
async function readingSocket(server: TestServer, endpoint: Endpoint, user: string) {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}${endpoint.path}`, { headers: endpoint.headers(user) });
  await once(ws, "open");
  const received: number[] = [];
  const arrived = new Set<() => void>();
  const replies: Record<string, any>[] = [];
  let clientId = "";
  const connect = (ack: unknown) => ws.send(JSON.stringify([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack } }]));
  ws.on("message", (raw: Buffer) => {
    for (const m of JSON.parse(raw.toString()) as Record<string, any>[]) {
      if (m.channel === endpoint.channel) {
        received.push(m.data.n);
        for (const wake of arrived) wake();
      } else if (m.channel === "/meta/connect" && m.successful === true) connect(m.ext?.ack);
      else replies.push(m);
    }
  });
  const request = async (message: object) => {
    const before = replies.length;
    ws.send(JSON.stringify([message]));
    await until(() => replies.length > before, 5000, "a reply");
    return replies[before] ?? {};
  };
  const hs = await request({ channel: "/meta/handshake", version: "1.0", ext: { ack: true } });
  assert.equal(hs.successful, true);
  clientId = String(hs.clientId);
  assert.equal((await request({ channel: "/meta/subscribe", clientId, subscription: endpoint.subscription })).successful, true);
  connect(0);
  await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
  /** Resolves once `count` messages have arrived (or fails after 5 s). */
  const waitFor = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (received.length < count) return;
        clearTimeout(timer);
        arrived.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        arrived.delete(check);
        reject(new Error(`timed out with ${received.length} of ${count} messages`));
      }, 5000);
      arrived.add(check);
      check();
    });
  return { ws, clientId, received, waitFor };
}

/** A client that reads, over either transport: the official client over long-polling. */
async function readingClient(server: TestServer, endpoint: Endpoint, user: string, transport: Transport) {
  if (transport === "websocket") {
    const socket = await readingSocket(server, endpoint, user);
    return { clientId: socket.clientId, received: () => socket.received, waitFor: socket.waitFor, close: async () => socket.ws.close() };
  }
  const client = cometdClient(`${server.url}${endpoint.path}`, { transport, headers: endpoint.headers(user) });
  assert.equal((await client.handshake()).successful, true);
  await client.subscribe(endpoint.subscription);
  return {
    clientId: String(client.cometd.getClientId()),
    received: () => client.received.map((m) => (m.data as { n: number }).n),
    waitFor: async (count: number) => void (await client.waitFor(count)),
    close: () => client.disconnect(),
  };
}

describe("a WebSocket peer that stops reading", () => {
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: is cut once WS_MAX_BUFFERED_BYTES wait for it; what was not pushed waits in its queue, bounded`, async () => {
      const limit = 64 * KIB;
      const queueBytes = 256 * KIB;
      const server = await start({ WS_MAX_BUFFERED_BYTES: String(limit), BAYEUX_MAX_QUEUE_BYTES: String(queueBytes) });
      try {
        const user = "stalled";
        const peer = await rawClient(server, endpoint, user);
        const [hs] = await peer.send([{ channel: "/meta/handshake", version: "1.0" }]);
        const clientId = String(hs?.clientId);
        await peer.send([{ channel: "/meta/subscribe", clientId, subscription: endpoint.subscription }]);
        await peer.send([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
        peer.write([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
        await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
        const session = server.app.bayeux.sessions.get(clientId);
        assert.ok(session);
        peer.socket.pause();

        // Ordinary deliveries, one push each, until the server stops pushing; bounded at 64 MB in
        // all, many times what the kernel's buffers on both sides hold.
        const size = 16 * KIB;
        let sent = 0;
        let most = 0;
        while (session.sink !== null && sent < 4000) {
          server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(sent++ % 10, size));
          await turn();
          most = Math.max(most, server.app.websocket.bufferedBytes());
        }
        assert.equal(session.sink, null, `pushes stop (after ${sent} deliveries)`);
        await until(() => server.app.websocket.clients() === 0, 5000, "the socket cut");
        assert.ok(most <= limit + serialised(endpoint, 0, size) + 16, `at most one push past the limit waited for the peer: ${most} bytes`);
        await closed(peer.socket);

        assert.equal(server.app.bayeux.sessions.get(clientId), session, "the client is kept for its next connect");
        assert.equal(session.queued, 1, "the push the socket refused stays queued");
        const refused = (sent - 1) % 10;
        server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(7, size));
        assert.equal(session.queued, 2, "later deliveries wait with it");

        // Back on a new socket: the next connect carries what was not pushed.
        const again = await wsBayeux(server.url, endpoint.path, endpoint.headers(user));
        const reply = await again.send([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
        assert.deepEqual(
          reply.filter((m) => m.channel === endpoint.channel).map((m) => m.data.n),
          [refused, 7],
        );

        // Gone again, for good this time: its queue fills up to BAYEUX_MAX_QUEUE_BYTES and it is dropped.
        again.ws.terminate();
        await until(() => server.app.websocket.clients() === 0, 5000, "the socket's close seen by the server");
        const fits = Math.floor(queueBytes / serialised(endpoint, 0, size));
        for (let i = 0; i < fits; i++) server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(i % 10, size));
        assert.equal(session.queued, fits);
        assert.ok(session.queuedBytes <= queueBytes);
        server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(0, size));
        assert.equal(server.app.bayeux.sessions.has(clientId), false, "dropped past BAYEUX_MAX_QUEUE_BYTES");
      } finally {
        await server.close();
      }
    });
  }
});

describe("a queue bounded in bytes", () => {
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}, long-polling: a client that never connects again is dropped past BAYEUX_MAX_QUEUE_BYTES, long before BAYEUX_MAX_QUEUE messages`, async () => {
      const logs = { level: "info" as const, lines: [] as LogLine[] };
      const queueBytes = 64 * KIB;
      const server = await start({ BAYEUX_MAX_QUEUE_BYTES: String(queueBytes), BAYEUX_MAX_QUEUE: "1000" }, logs);
      try {
        const user = "away";
        const { clientId, post } = await longPollingClient(server, endpoint, user);
        const size = 10 * KIB;
        const fits = Math.floor(queueBytes / serialised(endpoint, 0, size));
        for (let n = 0; n < fits; n++) server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(n, size));
        assert.equal(server.app.bayeux.sessions.get(clientId)?.queued, fits, `${fits} large messages fit`);
        server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(fits, size));
        assert.equal(server.app.bayeux.sessions.has(clientId), false, `dropped at message ${fits + 1}`);
        const dropped = logs.lines.filter((l) => l.clientId === clientId && l.msg === "bayeux client dropped: its queue is full");
        assert.deepEqual(
          dropped.map((l) => l.level),
          [40],
          "logged once, at warn",
        );
        const connect = await post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }]);
        assert.equal(connect.body[0].error, "402::Unknown client", "it must handshake again");
      } finally {
        await server.close();
      }
    });

    it(`${endpoint.name}, WebSocket with acks: messages pushed and not acknowledged count against BAYEUX_MAX_QUEUE_BYTES`, async () => {
      const queueBytes = 64 * KIB;
      const server = await start({ BAYEUX_MAX_QUEUE_BYTES: String(queueBytes) });
      try {
        const user = "unacknowledging";
        const client = await wsBayeux(server.url, endpoint.path, endpoint.headers(user));
        const pushed: number[] = [];
        client.ws.on("message", (raw: Buffer) => {
          for (const m of JSON.parse(raw.toString()) as Record<string, any>[]) if (m.channel === endpoint.channel) pushed.push(m.data.n);
        });
        const [hs] = await client.send([{ channel: "/meta/handshake", version: "1.0", ext: { ack: true } }]);
        const clientId = String(hs?.clientId);
        await client.send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: 0 } }]);
        await client.send([{ channel: "/meta/subscribe", clientId, subscription: endpoint.subscription }]);
        client.ws.send(JSON.stringify([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack: 0 } }]));
        await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");

        // The client reads every push but never acknowledges one (it sends no further connect).
        const size = 10 * KIB;
        const fits = Math.floor(queueBytes / serialised(endpoint, 0, size));
        for (let n = 0; n < fits; n++) {
          server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(n, size));
          await until(() => pushed.length === n + 1, 5000, `push ${n}`);
        }
        assert.equal(server.app.bayeux.sessions.get(clientId)?.queued, fits, "pushed, and kept until acknowledged");
        server.app.bayeux.deliver(endpoint.name, user, endpoint.channel, data(fits, size));
        assert.equal(server.app.bayeux.sessions.has(clientId), false, `dropped at message ${fits + 1}`);
        client.ws.close();
      } finally {
        await server.close();
      }
    });
  }
});

describe("a client that reads", () => {
  const cases = ENDPOINTS.flatMap((endpoint) => (["websocket", "long-polling"] as Transport[]).map((transport) => ({ endpoint, transport })));

  for (const { endpoint, transport } of cases) {
    it(`${endpoint.name}, ${transport} with acks: many times both bounds passing through, as fast as it reads, is never cut or dropped`, async () => {
      const server = await start({ WS_MAX_BUFFERED_BYTES: String(16 * KIB), BAYEUX_MAX_QUEUE_BYTES: String(32 * KIB) });
      try {
        const client = await readingClient(server, endpoint, "reader", transport);
        // 1 MB in all: 500 messages of 2 KiB, each sent once the one before has arrived.
        const count = 500;
        for (let i = 0; i < count; i++) {
          server.app.bayeux.deliver(endpoint.name, "reader", endpoint.channel, data(i % 10, 2 * KIB));
          await client.waitFor(i + 1);
        }
        assert.deepEqual(
          client.received(),
          Array.from({ length: count }, (_, i) => i % 10),
        );
        assert.ok(server.app.bayeux.sessions.has(client.clientId), "the same client throughout");
        assert.equal(server.app.bayeux.sessions.size, 1);
        await client.close();
      } finally {
        await server.close();
      }
    });
  }

  for (const { endpoint, transport } of cases) {
    it(`${endpoint.name}, ${transport}, default limits: a burst of 3 MiB in pages of 64 KiB (an agent joining a long chat) arrives whole`, async () => {
      const server = await start({});
      try {
        const client = await readingClient(server, endpoint, "joining", transport);
        const pages = 48;
        for (let i = 0; i < pages; i++) server.app.bayeux.deliver(endpoint.name, "joining", endpoint.channel, data(i % 10, 64 * KIB - 64));
        await until(() => client.received().length === pages, 15_000, "the whole burst");
        assert.ok(server.app.bayeux.sessions.has(client.clientId), "the same client throughout");
        assert.equal(server.app.websocket.clients(), transport === "websocket" ? 1 : 0);
        await client.close();
      } finally {
        await server.close();
      }
    });
  }
});

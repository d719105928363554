/**
 * Supervisors' live view: on /api/v2/notifications, supervisors and administrators (not plain
 * agents) subscribe to /v2/supervisor/changes and hear, coalesced, that agents or queues changed
 * (an agent's state, an interaction's step, a queue or user created), on every node of a cluster.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { MemoryHub } from "../../src/bus/memory.ts";
import { ADMIN, ADMIN_PASSWORD, agentApi, basic } from "../support/agents.ts";
import { rawBayeux, wsBayeux } from "../support/bayeux.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { call, eventually, startServer, until, type TestServer } from "../support/server.ts";

const CHANNEL = "/v2/supervisor/changes";
let server: TestServer;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
});
after(() => server.close());

async function listener(base: string, headers: Record<string, string>): Promise<{ client: TestClient; subscribed: Message }> {
  const client = cometdClient(`${base}/api/v2/notifications`, { transport: "long-polling", headers });
  assert.equal((await client.handshake()).successful, true);
  return { client, subscribed: await client.subscribe(CHANNEL) };
}

const notices = (client: TestClient) => client.received.filter((m) => m.channel === CHANNEL).map((m) => m.data as { messageType: string; changed: string[] });

describe("supervisor notices", () => {
  it("tell a subscribed supervisor when an agent goes Ready and when an interaction is submitted", async () => {
    const api = agentApi(server.url);
    await api.createAgent("sup1", {}, ["ROLE_SUPERVISOR"]);
    const agent = await api.createAgent("watched1");
    const { client, subscribed } = await listener(server.url, basic("sup1"));
    try {
      assert.equal(subscribed.successful, true);
      await api.ready(agent);
      await client.waitFor(1);
      assert.deepEqual(notices(client)[0], { messageType: "SupervisorChange", changed: ["agents", "queues"] });
      const before = client.received.length;
      await api.submit({ subject: "watched" });
      await client.waitFor(before + 1);
      assert.ok(
        notices(client)
          .slice(before)
          .every((n) => n.messageType === "SupervisorChange" && n.changed.includes("queues")),
      );
    } finally {
      await client.disconnect();
    }
  });

  it("tell an administrator a queue was created", async () => {
    const { client } = await listener(server.url, ADMIN);
    try {
      assert.equal((await call("POST", `${server.url}/api/v2/queues`, { name: "watched-queue" }, ADMIN)).body.statusCode, 0);
      await client.waitFor(1);
      assert.ok(notices(client).some((n) => n.changed.includes("queues")));
    } finally {
      await client.disconnect();
    }
  });

  it("are refused to a plain agent, by name or by a wildcard covering them, with a 403 Bayeux error", async () => {
    const api = agentApi(server.url);
    const agent = await api.createAgent("nosy1");
    const bayeux = rawBayeux(`${server.url}/api/v2/notifications`);
    const [shake] = (await bayeux.post([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }], agent.headers)).body;
    assert.equal(shake.successful, true);
    for (const subscription of [CHANNEL, "/v2/supervisor/*", "/v2/**", "/**", "/v2/queues", "/v2/*"]) {
      const [reply] = (await bayeux.post([{ channel: "/meta/subscribe", clientId: shake.clientId, subscription }], agent.headers)).body;
      assert.equal(reply.successful, false, subscription);
      assert.equal(reply.error, `403:${subscription}:Subscription denied`);
    }
    // Their own channels are theirs as before.
    const [own] = (await bayeux.post([{ channel: "/meta/subscribe", clientId: shake.clientId, subscription: "/v2/me/*" }], agent.headers)).body;
    assert.equal(own.successful, true);
  });

  it("end for a supervisor who becomes a plain agent: their clients end, and a new subscription is refused", async () => {
    const api = agentApi(server.url);
    const demoted = await api.createAgent("sup4", {}, ["ROLE_SUPERVISOR"]);
    const bayeux = rawBayeux(`${server.url}/api/v2/notifications`);
    const handshake = async () =>
      (await bayeux.post([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }], demoted.headers)).body[0]
        .clientId as string;
    const subscribe = async (clientId: string) =>
      (await bayeux.post([{ channel: "/meta/subscribe", clientId, subscription: CHANNEL }], demoted.headers)).body[0];
    const before = await handshake();
    assert.equal((await subscribe(before)).successful, true);
    assert.equal((await call("PUT", `${server.url}/api/v2/users/${demoted.id}`, { roles: ["ROLE_AGENT"] }, ADMIN)).body.statusCode, 0);
    await eventually(async () => ((await subscribe(before)).successful === false ? true : undefined), 5000, "the old client to be gone");
    const denied = await subscribe(await handshake());
    assert.equal(denied.error, `403:${CHANNEL}:Subscription denied`);
  });

  it("coalesce a burst of 200 changes into a few notices, the last change always told", async () => {
    const api = agentApi(server.url);
    await api.createAgent("sup2", {}, ["ROLE_SUPERVISOR"]);
    const agent = await api.createAgent("busy1");
    const { client } = await listener(server.url, basic("sup2"));
    // What a supervisor's page does: re-read on every notice; here, whether busy1 is Ready (queue default's ready count).
    let lastRead: number | null = null;
    let reads = Promise.resolve();
    const readyNow = async (): Promise<number> =>
      (await call("GET", `${server.url}/api/v2/queues`, undefined, basic("sup2"))).body.queues.find((q: { name: string }) => q.name === "default").agents.ready;
    const readyBefore = await readyNow();
    client.cometd.addListener(CHANNEL, () => {
      reads = reads.then(async () => {
        lastRead = await readyNow();
      });
    });
    try {
      for (let i = 0; i < 200; i++) {
        const operationName = i % 2 === 0 ? "Ready" : "NotReady";
        if (i === 199) lastRead = null;
        assert.equal((await call("POST", `${server.url}/api/v2/me/channels/openmedia`, { operationName }, agent.headers)).body.statusCode, 0);
      }
      // The last change (NotReady) is told: the page's last re-read shows it.
      await eventually(async () => (lastRead === readyBefore ? true : undefined), 5000, "a re-read after the last change");
      const count = notices(client).length;
      assert.ok(count >= 1 && count <= 40, `${count} notices for 200 changes`);
    } finally {
      await client.disconnect();
    }
  });
});

describe("queue statistics pushed on /v2/queues", () => {
  it("reach a subscribed supervisor with every queue's standing and statistics once work is queued, as GET /api/v2/queues shows them", async () => {
    const api = agentApi(server.url);
    await api.createAgent("sup-stats", {}, ["ROLE_SUPERVISOR"]);
    assert.equal((await call("POST", `${server.url}/api/v2/queues`, { name: "pushed", skills: [{ name: "nobody-has", level: 9 }] }, ADMIN)).body.statusCode, 0);
    const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: basic("sup-stats") });
    assert.equal((await client.handshake()).successful, true);
    assert.equal((await client.subscribe("/v2/queues")).successful, true);
    type Pushed = { messageType: string; queues: { name: string; waiting: number; statistics: { today: { offered: number } } }[] };
    const pushed = () => client.received.filter((m) => m.channel === "/v2/queues").map((m) => m.data as Pushed);
    try {
      await api.submit({ subject: "pushed" }, "pushed");
      await until(() => pushed().some((p) => p.queues.some((q) => q.name === "pushed" && q.waiting === 1)), 10_000, "a push showing the queued work");
      const last = pushed().at(-1);
      assert.equal(last?.messageType, "QueueStatistics");
      const queue = last?.queues.find((q) => q.name === "pushed");
      assert.equal(queue?.statistics.today.offered, 1);
      const read = (await call("GET", `${server.url}/api/v2/queues`, undefined, basic("sup-stats"))).body.queues.find(
        (q: { name: string }) => q.name === "pushed",
      );
      // The same object (its wait counted in whole seconds moves on between the two).
      assert.deepEqual({ ...queue, longestWaitSeconds: 0 }, { ...read, longestWaitSeconds: 0 });
    } finally {
      await client.disconnect();
    }
  });
});

describe("supervisor subscriptions checked asynchronously", () => {
  it("keep the per-client caps when many arrive at once over a WebSocket, and look the user up once for all", async () => {
    const api = agentApi(server.url);
    await api.createAgent("sup-burst", {}, ["ROLE_SUPERVISOR"]);
    const socket = await wsBayeux(server.url, "/api/v2/notifications", basic("sup-burst"));
    try {
      const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0" }]);
      const clientId = hs?.clientId;
      const lookups = () => storeCalls(server, "users.get");
      const before = await lookups();
      // Three frames at once, each within the caps alone, together past them; each holds /** (a supervisor check).
      const frames = [0, 1, 2].map((f) => [
        { channel: "/meta/subscribe", clientId, subscription: ["/**", ...Array.from({ length: 63 }, (_, i) => `/burst/${f}/${i}`)] },
      ]);
      const replies: Record<string, unknown>[] = [];
      socket.ws.on("message", (data: Buffer) => {
        for (const m of JSON.parse(data.toString()) as Record<string, unknown>[]) if (m.channel === "/meta/subscribe") replies.push(m);
      });
      for (const frame of frames) socket.ws.send(JSON.stringify(frame));
      await until(() => replies.length >= 3, 5000, "the three subscribe replies");
      const session = server.app.bayeux.sessions.get(clientId);
      assert.ok((session?.subscriptions.size ?? 0) <= 128, `${session?.subscriptions.size} subscriptions`);
      assert.equal(replies.filter((m) => m.successful === true).length, 2, "the third is refused");
      assert.ok((await lookups()) - before <= 3, `${(await lookups()) - before} user lookups for three frames of 64`);
    } finally {
      socket.ws.close();
    }
  });
});

describe("supervisor notices in a cluster", () => {
  it("reach a supervisor on another node", async () => {
    const memoryHub = new MemoryHub();
    const env = { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const a = await startServer({ env, memoryHub });
    const b = await startServer({ env, memoryHub });
    try {
      await agentApi(b.url).createAgent("sup3", {}, ["ROLE_SUPERVISOR"]);
      const agent = await agentApi(a.url).createAgent("remote1");
      const { client } = await listener(b.url, basic("sup3"));
      try {
        await agentApi(a.url).ready(agent);
        await client.waitFor(1);
        await until(() => notices(client).some((n) => n.changed.includes("agents")));
      } finally {
        await client.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/** How often the store ran `operation` so far (its timing histogram's count, from /metrics). */
async function storeCalls(target: TestServer, operation: string): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("store_operation_duration_seconds_count") && l.includes(`operation="${operation}"`));
  return Number(line?.split(" ").pop() ?? 0);
}

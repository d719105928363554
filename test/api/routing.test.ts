/**
 * Routing under load: many agents and interactions, on one node (SQLite) and on two nodes
 * sharing PostgreSQL. Longest idle first; capacity never exceeded; no interaction offered to two
 * agents; nothing left waiting while a qualified Ready agent has room.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { describeWith } from "../support/suites.ts";
import pg from "pg";
import { MemoryHub } from "../../src/bus/memory.ts";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { eventually, present, startServer, type TestServer } from "../support/server.ts";

const ENV = { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "30", ROUTING_OFFER_TIMEOUT_MS: "600000" };

/** Every NewInteraction notice the nodes send: (interaction, agent). */
function recordOffers(nodes: TestServer[]): { interactionId: string; agentId: string }[] {
  const offers: { interactionId: string; agentId: string }[] = [];
  for (const node of nodes) {
    const deliver = node.app.bayeux.deliver.bind(node.app.bayeux);
    node.app.bayeux.deliver = (endpoint, identity, channel, data) => {
      const message = data as { notificationType?: string; id?: string };
      if (channel === "/v2/me/interactions" && message.notificationType === "NewInteraction" && message.id !== undefined)
        offers.push({ interactionId: message.id, agentId: identity });
      deliver(endpoint, identity, channel, data);
    };
  }
  return offers;
}

async function scenario(nodes: TestServer[]): Promise<void> {
  const apis = nodes.map((n) => agentApi(n.url));
  /** The API of node `i` modulo their number: work spread across the nodes. */
  const apiOf = (i: number) => present(apis[i % apis.length], `node ${i % apis.length}'s API`);
  const api = apiOf(0);
  const offers = recordOffers(nodes);

  // Fairness: five agents Ready one after the other; five interactions, one at a time.
  const fair: TestAgent[] = [];
  const admin = ADMIN;
  await api.request("POST", "/queues", admin, { name: "fair", skills: [{ name: "fair", level: 1 }] });
  for (let i = 0; i < 5; i++) {
    const agent = await api.createAgent(`fair${i}`, { skills: [{ name: "fair", level: 1 }], capacity: { openmedia: 1 } });
    await apiOf(i).ready(agent);
    fair.push(agent);
  }
  const order: string[] = [];
  for (let i = 0; i < 5; i++) {
    const id = await apiOf(i).submit({ n: i }, "fair");
    const offer = await eventually(async () => offers.find((o) => o.interactionId === id), 5000, "an offer");
    order.push(offer.agentId);
  }
  assert.deepEqual(
    order,
    fair.map((a) => a.id),
    "longest idle first",
  );

  // Load: 30 agents of capacity 2, 100 interactions submitted at once across the nodes.
  await api.request("POST", "/queues", admin, { name: "load", skills: [{ name: "load", level: 1 }] });
  const agents = await Promise.all(
    Array.from({ length: 30 }, (_, i) => api.createAgent(`load${i}`, { skills: [{ name: "load", level: 1 }], capacity: { openmedia: 2 } })),
  );
  await Promise.all(agents.map((a, i) => apiOf(i).ready(a)));
  const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => apiOf(i).submit({ n: i }, "load")));
  await eventually(async () => (offers.filter((o) => ids.includes(o.interactionId)).length >= 60 ? true : undefined), 15_000, "60 offers");
  for (const node of nodes) await node.app.router.settle();

  const loadOffers = offers.filter((o) => ids.includes(o.interactionId));
  assert.equal(loadOffers.length, 60, "capacity 30 x 2 is filled, no more");
  assert.equal(new Set(loadOffers.map((o) => o.interactionId)).size, 60, "no interaction offered twice");
  const perAgent = new Map<string, number>();
  for (const o of loadOffers) perAgent.set(o.agentId, (perAgent.get(o.agentId) ?? 0) + 1);
  assert.ok(
    [...perAgent.values()].every((n) => n === 2),
    "every agent holds exactly its capacity",
  );

  // Freed capacity is used at once: one agent finishes one, the next waiting one reaches them.
  const worker = present(agents[0], "a load agent");
  const done = present((await api.mine(worker))[0], "an interaction the agent holds").id;
  await api.operate(worker, done, { operationName: "Accept" });
  await api.operate(worker, done, { operationName: "StopProcessing" });
  await eventually(async () => ((await api.mine(worker)).length === 2 ? true : undefined), 5000, "a new offer after capacity freed");
  const queues = (await api.request("GET", "/queues", admin)).body.queues;
  assert.equal(queues.find((q: { name: string }) => q.name === "load").waiting, 39, "the rest wait; nothing is stranded");
}

describe("routing on one node (SQLite)", () => {
  it("is fair, respects capacity, never offers twice, strands nothing", async () => {
    const node = await startServer({ env: ENV });
    try {
      await scenario([node]);
    } finally {
      await node.close();
    }
  });
});

const url = process.env.TEST_DATABASE_URL ?? "";
const skip = url === "" ? "TEST_DATABASE_URL is not set: the two-node routing test needs PostgreSQL" : false;
const schema = `parley_routing_${randomBytes(6).toString("hex")}`;

describeWith("routing on two nodes sharing PostgreSQL", skip, () => {
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it("is fair, respects capacity, never offers twice, strands nothing", async () => {
    const hub = new MemoryHub();
    const env = { ...ENV, DATABASE_URL: url, DATABASE_SCHEMA: schema };
    const a = await startServer({ env, memoryHub: hub });
    const b = await startServer({ env, memoryHub: hub });
    try {
      await scenario([a, b]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

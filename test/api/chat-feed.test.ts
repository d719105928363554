/**
 * Several nodes on PostgreSQL: chat entries are pushed from the database's commit feed by every
 * node to its own clients, so each chat's entries reach every party in position order whichever
 * node committed them, and nothing the committing node does after its commit is needed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, it } from "node:test";
import type { Message } from "cometd";
import type { Notifier } from "../../src/actions/context.ts";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi, entries } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";
import { describeWith, dropSchema } from "../support/suites.ts";

const url = process.env.TEST_DATABASE_URL ?? "";
const redisUrl = process.env.TEST_REDIS_URL ?? "";
const skip = url === "" || redisUrl === "" ? "TEST_DATABASE_URL and TEST_REDIS_URL are needed: several nodes on PostgreSQL and Redis are not tested" : false;
const schema = `parley_feed_${randomBytes(6).toString("hex")}`;

describeWith("chat delivery tied to the commit (two nodes on PostgreSQL)", skip, () => {
  let a: TestServer;
  let b: TestServer;
  const clients: TestClient[] = [];
  const ready: TestAgent[] = [];
  before(async () => {
    const env = {
      DATABASE_URL: url,
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: schema,
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ROUTING_SWEEP_MS: "50",
    };
    a = await startServer({ env });
    b = await startServer({ env });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await a?.close();
    await b?.close();
    await dropSchema(url, schema);
  });

  /** A chat whose customer is on node A (CometD mode) and whose agent is on node B, accepted. */
  async function chatAcrossNodes(name: string) {
    const api = agentApi(b.url);
    const agent = await api.createAgent(name, { firstName: name });
    const desk = cometdClient(`${b.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
    const customer = cometdClient(`${a.url}/genesys/cometd`, { transport: "long-polling", gmsUser: `${name}-customer` });
    clients.push(desk, customer);
    await desk.handshake();
    await desk.subscribe("/v2/me/interactions");
    await customer.handshake();
    await customer.subscribe("/_genesys");
    // Only this test's agent is Ready for chats: earlier tests' agents step away.
    for (const earlier of ready.splice(0)) await api.request("POST", "/me/channels/chat", earlier.headers, { operationName: "NotReady" });
    await api.ready(agent, "chat");
    ready.push(agent);
    const chat = chatApi(a.url);
    const headers = { gms_user: `${name}-customer` };
    const serviceId = await chat.create("request-chat", {}, headers);
    await chat.call(serviceId, "ixn/chat", { notify_by: "comet", firstName: "Pat" }, headers);
    const offer = await received(desk, (m) => m.data?.notificationType === "NewInteraction", "the offer");
    const ixId = offer.data.id as string;
    await api.operate(agent, ixId, { operationName: "Accept" });
    await eventually(async () => (pushed(customer, serviceId).some((e) => e[0] === "Notice.Joined") ? true : undefined), DEADLINE_MS, "the agent joined");
    return { api, agent, desk, customer, chat, headers, serviceId, ixId };
  }

  it("delivers each chat's entries in position order to both parties, whichever node committed them", async () => {
    const { api, agent, desk, customer, chat, headers, serviceId, ixId } = await chatAcrossNodes("ordered");
    const n = 25;
    // The customer writes through node A and the agent through node B at the same time.
    await Promise.all([
      ...Array.from({ length: n }, (_, i) => chat.call(serviceId, "ixn/chat/send", { message: `c${i}` }, headers)),
      ...Array.from({ length: n }, (_, i) => api.operate(agent, ixId, { operationName: "SendMessage", text: `a${i}` })),
    ]);
    const transcript = entries(await chat.call(serviceId, "ixn/chat/refresh", { transcriptPosition: "1" }, headers));
    await eventually(async () => (pushed(customer, serviceId).length >= transcript.length ? true : undefined), 10_000, "every entry at the customer");
    assert.deepEqual(pushed(customer, serviceId), transcript, "the customer's pushes are the transcript, in order, once each");
    const last = Math.max(...agentIndexes(desk, ixId));
    await eventually(
      async () => (agentIndexes(desk, ixId).filter((i) => i === last).length > 0 && agentTexts(desk, ixId).length >= 2 * n ? true : undefined),
      10_000,
      "every message at the agent",
    );
    const indexes = agentIndexes(desk, ixId);
    assert.deepEqual(
      indexes,
      [...indexes].sort((x, y) => x - y),
      "the agent's entries arrive in index order",
    );
    assert.equal(new Set(indexes).size, indexes.length, "each entry once");
  });

  it("needs nothing from the node that committed after its commit: its notifier silenced, every party still hears", async () => {
    const { desk, customer, chat, headers, serviceId, ixId } = await chatAcrossNodes("silenced");
    // What a node that dies right after its commit leaves: the commit, and nothing it would have published.
    const notifier = a.app.ctx.notifier;
    const silent: Notifier = { deliver: () => {}, publish: () => {}, revoke: () => {}, deliverToTopic: () => {} };
    a.app.ctx.notifier = silent;
    try {
      const sent = await chat.call(serviceId, "ixn/chat/send", { message: "committed, then silence" }, headers);
      assert.equal(sent.status, 200, sent.text);
      await eventually(
        async () => (agentTexts(desk, ixId).includes("committed, then silence") ? true : undefined),
        DEADLINE_MS,
        "the message at the agent (node B)",
      );
      await eventually(
        async () => (pushed(customer, serviceId).some((e) => e[2] === "committed, then silence") ? true : undefined),
        DEADLINE_MS,
        "the echo at the customer (node A)",
      );
    } finally {
      a.app.ctx.notifier = notifier;
    }
  });
});

/** Deadlines are generous: two nodes, PostgreSQL and Redis share CI's two cores with another test file. */
const DEADLINE_MS = 15_000;

async function received(client: TestClient, match: (m: Message) => boolean, what: string): Promise<Message> {
  return eventually(async () => client.received.find(match), DEADLINE_MS, what);
}

/** Transcript entries pushed to a customer so far, in order. */
function pushed(client: TestClient, serviceId: string): string[][] {
  return client.received.filter((m) => m.data?.tag === `service.chat.refresh.${serviceId}`).flatMap((m) => m.data.message.transcriptToShow ?? []);
}

function agentMessages(desk: TestClient, ixId: string): { index: number; text: string; type: string }[] {
  return desk.received.filter((m) => m.data?.notificationType === "NewMessages" && m.data.id === ixId).flatMap((m) => m.data.messages);
}

const agentIndexes = (desk: TestClient, ixId: string) => agentMessages(desk, ixId).map((m) => m.index);
const agentTexts = (desk: TestClient, ixId: string) =>
  agentMessages(desk, ixId)
    .filter((m) => m.type === "Text")
    .map((m) => m.text);

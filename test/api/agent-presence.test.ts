/**
 * Agent presence that survives a node (issue 20), through the real app. Two nodes share one
 * PostgreSQL schema and a bus; one dies without its agents' clients leaving (closed with them
 * still in its memory: no departure runs, nobody renews their presence). The survivor's sweep,
 * on a clock the test moves, makes them NotReady (Disconnected) within AGENT_PRESENCE_TTL_MS and
 * withdraws their offers; after AGENT_ORPHAN_GRACE_MS their accepted chats go back to the queue
 * with a notice to the customer and are offered to a live agent; an agent who comes back within
 * the grace keeps theirs. An agent who never opened a CometD client is left alone (SQLite).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { MemoryHub } from "../../src/bus/memory.ts";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { rawBayeux } from "../support/bayeux.ts";
import { chatApi, entries, storedChat } from "../support/chat.ts";
import { describeWith, dropSchema } from "../support/suites.ts";
import { eventually, manualClock, startServer, type TestServer } from "../support/server.ts";

const TTL_MS = 15_000;
const GRACE_MS = 60_000;
const url = process.env.TEST_DATABASE_URL ?? "";
const skip = url === "" ? "TEST_DATABASE_URL is not set: two-node presence tests not run" : false;

const ENV = {
  PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
  ROUTING_SWEEP_MS: "50",
  // Offers never expire on their own here: one that moves was withdrawn by presence.
  ROUTING_OFFER_TIMEOUT_MS: "3600000",
  // The clock jumps a minute at a time: live clients and silent customers must outlive the jumps.
  BAYEUX_MAX_INTERVAL_MS: "600000",
  CHAT_CUSTOMER_TIMEOUT_MS: "3600000",
  AGENT_PRESENCE_TTL_MS: String(TTL_MS),
  AGENT_ORPHAN_GRACE_MS: String(GRACE_MS),
};

interface TwoNodes {
  clock: ReturnType<typeof manualClock>;
  doomed: TestServer;
  survivor: TestServer;
}

/** Runs `body` on two nodes sharing a fresh schema, one bus and the clock the test moves; the schema is dropped after. */
async function withTwoNodes(body: (nodes: TwoNodes) => Promise<void>): Promise<void> {
  const schema = `parley_presence_${randomBytes(6).toString("hex")}`;
  const clock = manualClock(Date.now());
  const hub = new MemoryHub();
  const env = { ...ENV, DATABASE_URL: url, DATABASE_SCHEMA: schema };
  const doomed = await startServer({ env, now: clock.now, memoryHub: hub });
  const survivor = await startServer({ env, now: clock.now, memoryHub: hub });
  try {
    await body({ clock, doomed, survivor });
  } finally {
    await doomed.close();
    await survivor.close();
    await dropSchema(url, schema);
  }
}

/** A desktop's CometD client on `node` (handshake only: it stays until its node forgets it). */
async function desktop(node: TestServer, agent: TestAgent): Promise<void> {
  const reply = await rawBayeux(`${node.url}/api/v2/notifications`).post([{ channel: "/meta/handshake", version: "1.0" }], agent.headers);
  assert.equal(reply.body[0].successful, true, reply.text);
}

/** The agent's chat channel as `node` answers: `Ready`, or `NotReady:<reason>`. */
async function chatState(node: TestServer, agent: TestAgent): Promise<string> {
  const channels = (await agentApi(node.url).request("GET", "/me/channels", agent.headers)).body.channels as {
    channel: string;
    userState: { state: string; reason?: string };
  }[];
  const chat = channels.find((c) => c.channel === "chat")?.userState;
  return chat?.reason === undefined ? String(chat?.state) : `${chat.state}:${chat.reason}`;
}

/** A customer's chat started on `node`; returns its service and interaction ids. */
async function customerChat(node: TestServer): Promise<{ service: string; interaction: string }> {
  const chat = chatApi(node.url);
  const service = await chat.create("request-chat", { nickname: "Customer" });
  assert.equal((await chat.call(service, "ixn/chat")).status, 200);
  return { service, interaction: (await storedChat(node, service)).interactionId };
}

/** Waits until `agent` sees the interaction in `state`, asking `node`. */
const sees = (node: TestServer, agent: TestAgent, id: string, state: string) => agentApi(node.url).sees(agent, id, state);

async function acceptedBy(node: TestServer, agent: TestAgent): Promise<{ service: string; interaction: string }> {
  const chat = await customerChat(node);
  await sees(node, agent, chat.interaction, "Invited");
  assert.equal((await agentApi(node.url).operate(agent, chat.interaction, { operationName: "Accept" })).body.statusCode, 0);
  return chat;
}

describeWith("agent presence across nodes (PostgreSQL)", skip, () => {
  it("an agent whose node died is NotReady on the survivor within the expiry, their offer withdrawn; after the grace their chat is re-queued with a notice and offered to a live agent", async () => {
    await withTwoNodes(async ({ clock, doomed, survivor }) => {
      const api = agentApi(survivor.url);
      const lost = await api.createAgent("lost", { capacity: { chat: 3 } });
      const live = await api.createAgent("live", { capacity: { chat: 3 } });
      await desktop(doomed, lost);
      await api.ready(lost, "chat");
      const accepted = await acceptedBy(survivor, lost);
      const offered = await customerChat(survivor);
      await sees(survivor, lost, offered.interaction, "Invited");
      assert.equal((await survivor.app.store.agentPresence.get(lost.id))?.nodeId, doomed.app.bayeux.nodeId, "the dead node renewed them");

      await doomed.close();
      await desktop(survivor, live);
      await api.ready(live, "chat");
      clock.advance(TTL_MS - 1);
      await survivor.app.presence.sweep();
      assert.equal(await chatState(survivor, lost), "Ready", "not expired yet");
      clock.advance(1);
      await survivor.app.presence.sweep();
      assert.equal(await chatState(survivor, lost), "NotReady:Disconnected");
      await sees(survivor, live, offered.interaction, "Invited");
      assert.equal((await survivor.app.store.agentInteractions.get(accepted.interaction))?.ownerId, lost.id, "within the grace the chat waits for them");

      clock.advance(GRACE_MS);
      await survivor.app.presence.sweep();
      await sees(survivor, live, accepted.interaction, "Invited");
      const transcript = entries(await chatApi(survivor.url).call(accepted.service, "ixn/chat/refresh", { transcriptPosition: "1" }));
      const notice = transcript.find((e) => e[0] === "Notice.Custom");
      assert.deepEqual(notice?.slice(1, 3), ["system", "Your agent was disconnected. You will be connected to another agent."]);
      assert.ok(
        transcript.some((e) => e[0] === "Notice.Left" && e[4] === "AGENT"),
        "the agent left the chat",
      );
      assert.equal(await survivor.app.store.agentPresence.get(lost.id), null, "their presence is gone with their work");
    });
  });

  it("an agent who comes back on another node within the grace keeps their chats", async () => {
    await withTwoNodes(async ({ clock, doomed, survivor }) => {
      const api = agentApi(survivor.url);
      const back = await api.createAgent("back", { capacity: { chat: 3 } });
      await desktop(doomed, back);
      await api.ready(back, "chat");
      const accepted = await acceptedBy(survivor, back);
      await doomed.close();
      clock.advance(TTL_MS);
      await survivor.app.presence.sweep();
      assert.equal(await chatState(survivor, back), "NotReady:Disconnected");

      clock.advance(GRACE_MS - 1);
      await desktop(survivor, back);
      await eventually(
        async () => ((await survivor.app.store.agentPresence.get(back.id))?.orphanedAt === null ? true : undefined),
        5000,
        "their return renewed them",
      );
      clock.advance(GRACE_MS);
      await survivor.app.presence.sweep();
      await survivor.app.router.settle();
      const ix = await survivor.app.store.agentInteractions.get(accepted.interaction);
      assert.deepEqual([ix?.state, ix?.ownerId], ["Accepted", back.id]);
      const transcript = entries(await chatApi(survivor.url).call(accepted.service, "ixn/chat/refresh", { transcriptPosition: "1" }));
      assert.equal(
        transcript.some((e) => e[0] === "Notice.Custom"),
        false,
        "the customer was told nothing",
      );
    });
  });
});

describe("agent presence on one node", () => {
  it("leaves an agent who set Ready over REST, without any CometD client, Ready", async () => {
    const clock = manualClock(Date.now());
    const node = await startServer({ now: clock.now, env: ENV });
    try {
      const api = agentApi(node.url);
      const restOnly = await api.createAgent("rest-only");
      await api.ready(restOnly, "chat");
      clock.advance(TTL_MS + GRACE_MS);
      await node.app.presence.sweep();
      clock.advance(GRACE_MS);
      await node.app.presence.sweep();
      assert.equal(await chatState(node, restOnly), "Ready");
      assert.equal((await api.request("GET", "/users", ADMIN)).status, 200);
    } finally {
      await node.close();
    }
  });
});

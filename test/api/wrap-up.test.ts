/**
 * Wrap-up (issue 21): after an agent completes an interaction of a queue with `wrapUpSeconds`,
 * their slot stays held (AfterCallWork on that channel, shown in /me/channels and told on
 * /v2/me/channels) until the time is up (the housekeeping sweep, at a clock the test moves) or
 * until they say Ready. A queue without it frees the slot at once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { manualClock, startServer, type TestServer } from "../support/server.ts";

const WRAP_UP_SECONDS = 30;
const clock = manualClock();
const dir = mkdtempSync(join(tmpdir(), "parley-wrap-up-"));
let server: TestServer;
let api: ReturnType<typeof agentApi>;

before(async () => {
  const file = join(dir, "parley.json");
  writeFileSync(
    file,
    JSON.stringify({
      // A queue per test (its skill too): what one test leaves waiting is no other's business.
      queues: [
        ...["notes-a", "notes-b", "notes-c"].map((name) => ({ name, skills: [{ name, level: 1 }], wrapUpSeconds: WRAP_UP_SECONDS })),
        { name: "quick", skills: [{ name: "quick", level: 1 }] },
        { name: "chat-notes", skills: [{ name: "chat-notes", level: 1 }], wrapUpSeconds: WRAP_UP_SECONDS },
      ],
      chatServices: [{ name: "chat-notes", kind: "basic", queue: "chat-notes" }],
    }),
  );
  server = await startServer({
    now: clock.now,
    env: {
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PARLEY_CONFIG: file,
      ROUTING_OFFER_TIMEOUT_MS: "3600000",
      // The clock moves by the wrap-up's seconds: the agent's CometD client must outlive that.
      BAYEUX_MAX_INTERVAL_MS: "600000",
      AGENT_PRESENCE_TTL_MS: "3600000",
    },
  });
  api = agentApi(server.url);
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface UserState {
  id: string;
  state: string;
  displayName: string;
  reason?: string;
  workMode?: string;
  wrapUpEndsAt?: string;
}

async function channelState(agent: TestAgent, channel: string): Promise<UserState> {
  const channels = (await api.request("GET", "/me/channels", agent.headers)).body.channels as { channel: string; userState: UserState }[];
  const found = channels.find((c) => c.channel === channel);
  assert.ok(found !== undefined);
  return found.userState;
}

const openmediaState = (agent: TestAgent) => channelState(agent, "openmedia");

/** The openmedia state in each /v2/me/channels notice the client got, in order. */
function notices(client: TestClient): UserState[] {
  return client.received.map((m: Message) => {
    const data = m.data as { channels: { channel: string; userState: UserState }[] };
    const openmedia = data.channels.find((c) => c.channel === "openmedia");
    assert.ok(openmedia !== undefined);
    return openmedia.userState;
  });
}

/** An agent of capacity 1 on openmedia, Ready, with a CometD client on /v2/me/channels. */
async function readyAgent(userName: string, skill: string): Promise<{ agent: TestAgent; client: TestClient }> {
  const agent = await api.createAgent(userName, { skills: [{ name: skill, level: 1 }], capacity: { openmedia: 1 } });
  const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  assert.equal((await client.handshake()).successful, true);
  await client.subscribe("/v2/me/channels");
  await api.ready(agent);
  await client.waitFor(1);
  return { agent, client };
}

/** Routes one interaction of `queue` to `agent`, who accepts and completes it. */
async function handleOne(agent: TestAgent, queue: string): Promise<void> {
  const id = await api.submit({}, queue);
  await api.sees(agent, id, "Invited");
  assert.equal((await api.operate(agent, id, { operationName: "Accept" })).body.statusCode, 0);
  assert.equal((await api.operate(agent, id, { operationName: "StopProcessing" })).body.statusCode, 0);
}

/** Runs a routing pass and tells whether `id` is still waiting. */
async function stillQueued(id: string): Promise<boolean> {
  await server.app.router.settle();
  return (await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction.state === "Queued";
}

describe("wrap-up", () => {
  it("holds the completed interaction's slot in AfterCallWork until the sweep finds its time up", async () => {
    const { agent, client } = await readyAgent("wrapper", "notes-a");
    try {
      await handleOne(agent, "notes-a");
      const endsAt = new Date(clock.now() + WRAP_UP_SECONDS * 1000).toISOString();
      const afterCallWork = {
        id: "AfterCallWork",
        state: "NotReady",
        displayName: "After call work",
        reason: "AfterCallWork",
        workMode: "AfterCallWork",
        wrapUpEndsAt: endsAt,
      };
      assert.deepEqual(await openmediaState(agent), afterCallWork);
      await client.waitFor(2);
      assert.deepEqual(notices(client)[1], afterCallWork, "told when it starts");
      const supervised = (await api.request("GET", "/agents", ADMIN)).body.agents.find((a: { id: string }) => a.id === agent.id);
      assert.deepEqual(supervised.load.openmedia, 1, "the wrap-up holds a slot");

      const next = await api.submit({}, "notes-a");
      assert.equal(await stillQueued(next), true, "no offer while the slot is held");
      clock.advance(WRAP_UP_SECONDS * 1000 - 1);
      await server.app.housekeeping.sweep();
      assert.equal(await stillQueued(next), true, "not before its time");

      clock.advance(1);
      await server.app.housekeeping.sweep();
      await api.sees(agent, next, "Invited");
      assert.deepEqual(await openmediaState(agent), { id: "Ready", state: "Ready", displayName: "Ready" });
      await client.waitFor(3);
      assert.deepEqual(notices(client)[2], { id: "Ready", state: "Ready", displayName: "Ready" }, "told when it ends");
    } finally {
      await client.disconnect();
    }
  });

  it("ends at once when the agent says Ready on that channel, and the held slot takes the next interaction", async () => {
    const { agent, client } = await readyAgent("quick-notes", "notes-b");
    try {
      await handleOne(agent, "notes-b");
      assert.equal((await openmediaState(agent)).workMode, "AfterCallWork");
      const next = await api.submit({}, "notes-b");
      assert.equal(await stillQueued(next), true);
      await api.ready(agent);
      await api.sees(agent, next, "Invited");
      assert.equal((await openmediaState(agent)).state, "Ready");
    } finally {
      await client.disconnect();
    }
  });

  it("keeps the slot held through a Not Ready said during it, which the channel then shows", async () => {
    const { agent, client } = await readyAgent("break-after", "notes-c");
    try {
      await handleOne(agent, "notes-c");
      await api.request("POST", "/me/channels/openmedia", agent.headers, { operationName: "Break" });
      assert.deepEqual(await openmediaState(agent), { id: "NotReady", state: "NotReady", displayName: "Not Ready", reason: "Break" });
      clock.advance(WRAP_UP_SECONDS * 1000);
      await server.app.housekeeping.sweep();
      assert.equal((await openmediaState(agent)).reason, "Break", "the end of the wrap-up leaves the Break");
    } finally {
      await client.disconnect();
    }
  });

  it("frees the slot at once after work of a queue without wrapUpSeconds", async () => {
    const { agent, client } = await readyAgent("no-notes", "quick");
    try {
      await handleOne(agent, "quick");
      assert.deepEqual(await openmediaState(agent), { id: "Ready", state: "Ready", displayName: "Ready" });
      const next = await api.submit({}, "quick");
      await api.sees(agent, next, "Invited");
      assert.equal(client.received.length, 1, "no state change was told");
    } finally {
      await client.disconnect();
    }
  });

  it("starts when the GA chat API completes a chat, and not when the customer ends one", async () => {
    const chat = chatApi(server.url);
    const agent = await api.createAgent("chatter", { skills: [{ name: "chat-notes", level: 1 }], capacity: { chat: 1 } });
    await api.ready(agent, "chat");
    const customerChat = async (): Promise<{ service: string; id: string }> => {
      const service = await chat.create("chat-notes");
      const started = await chat.call(service, "ixn/chat", { firstName: "Vasya", lastName: "Pupkin" });
      assert.equal(started.status, 200, started.text);
      const id = started.body.chatSessionId as string;
      await api.sees(agent, id, "Invited");
      assert.equal((await api.request("POST", `/me/chats/${id}`, agent.headers, { operationName: "Accept" })).body.statusCode, 0);
      return { service, id };
    };

    const completed = await customerChat();
    assert.equal((await api.request("POST", `/me/chats/${completed.id}`, agent.headers, { operationName: "Complete" })).body.statusCode, 0);
    assert.equal((await channelState(agent, "chat")).workMode, "AfterCallWork");
    await api.ready(agent, "chat");

    const left = await customerChat();
    assert.equal((await chat.call(left.service, "ixn/chat/disconnect")).status, 200);
    assert.equal((await api.request("GET", `/interactions/${left.id}`, ADMIN)).body.interaction.state, "Completed");
    assert.deepEqual(await channelState(agent, "chat"), { id: "Ready", state: "Ready", displayName: "Ready" }, "the customer ended it: no wrap-up");
  });
});

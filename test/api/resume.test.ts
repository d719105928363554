/**
 * A client that handshakes again (its node died, its network dropped) is sent what it may have
 * missed without asking: an agent their waiting invitations and the chats they work on, a v1
 * customer naming `ext.transcriptPosition` their chat from there on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
const clients: TestClient[] = [];
const ready: TestAgent[] = [];

before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50" } });
  api = agentApi(server.url);
});
after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  await server.close();
});

/** An agent alone Ready for chats (over REST: no desktop connected yet). */
async function soleChatAgent(name: string): Promise<TestAgent> {
  for (const earlier of ready.splice(0)) await api.request("POST", "/me/channels/chat", earlier.headers, { operationName: "NotReady" });
  const agent = await api.createAgent(name, { firstName: name });
  await api.ready(agent, "chat");
  ready.push(agent);
  return agent;
}

/** A desktop's new CometD client: handshaken, subscribed to both agent APIs' channels. */
async function desktop(agent: TestAgent): Promise<TestClient> {
  const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  clients.push(client);
  await client.handshake();
  await client.subscribe("/v2/me/interactions");
  return client;
}

async function startChat(gmsUser: string): Promise<{ serviceId: string; headers: Record<string, string> }> {
  const chat = chatApi(server.url);
  const headers = { gms_user: gmsUser };
  const serviceId = await chat.create("request-chat", {}, headers);
  const started = await chat.call(serviceId, "ixn/chat", { notify_by: "comet", firstName: "Quinn" }, headers);
  assert.equal(started.status, 200, started.text);
  return { serviceId, headers };
}

async function received(client: TestClient, match: (m: Message) => boolean, what: string): Promise<Message> {
  return eventually(async () => client.received.find(match), 5000, what);
}

describe("resuming after a new handshake", () => {
  it("tells an agent's new client of the invitation waiting for them", async () => {
    const agent = await soleChatAgent("invited");
    await startChat("resume-invited");
    const offered = await eventually(async () => (await api.mine(agent)).find((ix) => ix.state === "Invited"), 5000, "the offer");
    // The desktop comes (back) after the offer was made: nothing re-reads, the server tells.
    const desk = await desktop(agent);
    const told = await received(desk, (m) => m.data?.notificationType === "NewInteraction" && m.data.id === offered.id, "NewInteraction on handshake");
    assert.equal(told.data.interaction.state, "Invited");
  });

  it("sends an agent's new client each chat they work on, whole", async () => {
    const agent = await soleChatAgent("working");
    const chat = chatApi(server.url);
    const { serviceId, headers } = await startChat("resume-working");
    const offered = await eventually(async () => (await api.mine(agent)).find((ix) => ix.state === "Invited"), 5000, "the offer");
    assert.equal((await api.operate(agent, offered.id, { operationName: "Accept" })).body.statusCode, 0);
    await chat.call(serviceId, "ixn/chat/send", { message: "are you there?" }, headers);
    const desk = await desktop(agent);
    const history = await received(
      desk,
      (m) =>
        m.data?.notificationType === "NewMessages" && m.data.id === offered.id && m.data.messages.some((e: { text: string }) => e.text === "are you there?"),
      "the chat's transcript on handshake",
    );
    const indexes = history.data.messages.map((e: { index: number }) => e.index);
    assert.equal(indexes[0], 1, "from its first entry");
    assert.ok(
      desk.received.every((m) => m.data?.notificationType !== "NewInteraction"),
      "a chat already accepted is not offered again",
    );
  });

  it("pushes a v1 customer's chat from the transcriptPosition their handshake names, and nothing without one", async () => {
    const agent = await soleChatAgent("customer-side");
    const chat = chatApi(server.url);
    const { serviceId, headers } = await startChat("resume-customer");
    const offered = await eventually(async () => (await api.mine(agent)).find((ix) => ix.state === "Invited"), 5000, "the offer");
    await api.operate(agent, offered.id, { operationName: "Accept" });
    await api.operate(agent, offered.id, { operationName: "SendMessage", text: "missed while away" });
    const transcript = (await chat.call(serviceId, "ixn/chat/refresh", { transcriptPosition: "1" }, headers)).body.transcriptToShow as string[][];
    const position = transcript.findIndex((e) => e[2] === "missed while away") + 1;
    assert.ok(position > 1);

    const plain = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "resume-customer" });
    const resumed = cometdClient(`${server.url}/genesys/cometd`, {
      transport: "long-polling",
      gmsUser: "resume-customer",
      handshake: { ext: { transcriptPosition: String(position) } },
    });
    clients.push(plain, resumed);
    for (const c of [resumed, plain]) {
      await c.handshake();
      await c.subscribe("/_genesys");
    }
    const push = await received(resumed, (m) => m.data?.tag === `service.chat.refresh.${serviceId}`, "the chat from its position");
    assert.deepEqual(push.data.message.transcriptToShow, transcript.slice(position - 1));
    // The plain client is told of nothing it did not ask for; a later entry reaches both.
    await api.operate(agent, offered.id, { operationName: "SendMessage", text: "and now" });
    await received(plain, (m) => (m.data?.message?.transcriptToShow ?? []).some((e: string[]) => e[2] === "and now"), "a new entry");
    assert.ok(plain.received.every((m) => !(m.data?.message?.transcriptToShow ?? []).some((e: string[]) => e[2] === "missed while away")));
  });
});

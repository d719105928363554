/**
 * The GA chat API (`/api/v2/me/chats`, reference C.5 and C.6) beside the 8.5.0 interactions API:
 * one chat driven from both at once. A desktop on either sees the same chat; messages sent from
 * one appear in the other; the notifications on `/v2/me/chats` (ChatStateChangeMessage,
 * MessageLogUpdated) follow every change. Field names are an interface GA desktops rely on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi, entries } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;
const clients: TestClient[] = [];
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50" } });
  api = agentApi(server.url);
  chat = chatApi(server.url);
});
after(async () => {
  for (const client of clients) await client.disconnect();
  await server.close();
});

async function listening(agent: TestAgent, channel: string): Promise<TestClient> {
  const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  clients.push(client);
  await client.handshake();
  await client.subscribe(channel);
  return client;
}

async function seen(client: TestClient, match: (data: any) => boolean, what: string): Promise<any> {
  return (await eventually(async () => client.received.find((m: Message) => match(m.data)), 5000, what)).data;
}

const chatState = (id: string, state: string) => (d: any) => d?.messageType === "ChatStateChangeMessage" && d.chat?.id === id && d.chat.state === state;
const logged = (text: string) => (d: any) => d?.messageType === "MessageLogUpdated" && d.messages.some((m: { text: string }) => m.text === text);

/** A customer's chat in poll mode; answers its service id and the chat's (interaction) id. */
async function customerChat(subject: string): Promise<{ service: string; id: string }> {
  const service = await chat.create("request-chat", { subject });
  const started = await chat.call(service, "ixn/chat", { firstName: "Vasya", lastName: "Pupkin", subject });
  assert.equal(started.status, 200, started.text);
  return { service, id: started.body.chatSessionId };
}

describe("the GA chat API", () => {
  it("one chat from both APIs: offered, accepted, messages both ways on both channels, user data, leave and complete", async () => {
    const ann = await api.createAgent("ann", { firstName: "Ann" });
    const ga = await listening(ann, "/v2/me/chats");
    const old = await listening(ann, "/v2/me/interactions");
    await api.ready(ann, "chat");
    const { service, id } = await customerChat("both APIs");

    const ringing = await seen(ga, chatState(id, "Ringing"), "the offer on /v2/me/chats");
    assert.equal(ringing.notificationType, "StatusChange");
    assert.deepEqual(ringing.chat.capabilities, ["Accept", "Reject"]);
    assert.equal(ringing.chat.participants[0].type, "Customer");
    assert.equal(ringing.chat.participants[0].nickname, "Vasya Pupkin");
    assert.equal(ringing.chat.userData.subject, "both APIs");
    assert.equal(ringing.chat.path, `/chats/${id}`);
    assert.ok(ringing.chat.uri.endsWith(`/api/v2/chats/${id}`));
    await seen(old, (d) => d?.notificationType === "NewInteraction" && d.id === id, "the offer on /v2/me/interactions");
    const listed = await api.request("GET", "/me/chats", ann.headers);
    assert.equal(listed.body.statusCode, 0);
    assert.deepEqual(
      listed.body.chats.map((c: { id: string; state: string }) => [c.id, c.state]),
      [[id, "Ringing"]],
    );

    assert.deepEqual((await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "Accept", nickname: "Ann" })).body, {
      status: "ok",
      statusCode: 0,
    });
    const chatting = await seen(ga, chatState(id, "Chatting"), "Chatting");
    assert.ok(chatting.chat.capabilities.includes("SendMessage") && chatting.chat.capabilities.includes("Complete"));
    assert.ok(chatting.chat.participants.some((p: { type: string; participantId: string }) => p.type === "Agent" && p.participantId === ann.id));
    await seen(old, (d) => d?.notificationType === "StatusChange" && d.id === id && d.state === "Accepted", "Accepted on the interactions API");
    assert.equal((await api.request("GET", `/me/chats/${id}`, ann.headers)).body.chat.state, "Chatting");

    // The customer writes: both channels carry it.
    await chat.call(service, "ixn/chat/send", { message: "hello, anyone?" });
    const fromCustomer = await seen(ga, logged("hello, anyone?"), "the customer's message as MessageLogUpdated");
    assert.equal(fromCustomer.notificationType, "NewMessages");
    assert.equal(fromCustomer.chatPath, `/chats/${id}`);
    const entry = fromCustomer.messages.find((m: { text: string }) => m.text === "hello, anyone?");
    assert.equal(entry.type, "Text");
    assert.equal(entry.from.type, "Customer");
    assert.equal(typeof entry.index, "number");
    assert.equal(typeof entry.timestampSeconds, "number");
    await seen(old, (d) => d?.notificationType === "NewMessages" && d.messages.some((m: { text: string }) => m.text === "hello, anyone?"), "NewMessages");

    // The agent writes once from each API: each appears in the other, and the customer gets both.
    assert.equal((await api.operate(ann, id, { operationName: "SendMessage", text: "from the interactions API" })).body.statusCode, 0);
    await seen(ga, logged("from the interactions API"), "an interactions-API message on /v2/me/chats");
    assert.equal((await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "SendMessage", text: "from the GA API" })).body.statusCode, 0);
    await seen(old, (d) => d?.notificationType === "NewMessages" && d.messages.some((m: { text: string }) => m.text === "from the GA API"), "a GA message");
    await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "SendStartTypingNotification" });
    await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "SendUrl", url: "https://example.com/help" });
    const texts = entries(await chat.call(service, "ixn/chat/refresh", { transcriptPosition: "1" })).map((e) => e[2]);
    for (const text of ["from the interactions API", "from the GA API", "https://example.com/help"]) assert.ok(texts.includes(text), text);

    // User data: GA's UpdateUserData and DeleteUserData are the interactions API's UpdateProperties.
    await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "UpdateUserData", userData: { orderId: "A-17", tier: "gold" } });
    const updated = await seen(ga, (d) => d?.notificationType === "PropertiesUpdated" && d.chat?.userData.orderId === "A-17", "PropertiesUpdated");
    assert.equal(updated.messageType, "ChatStateChangeMessage");
    await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "DeleteUserData", keys: ["tier"] });
    const properties = (await api.request("GET", `/interactions/${id}`, ann.headers)).body.interaction.userData;
    assert.equal(properties.orderId, "A-17");
    assert.equal("tier" in properties, false);

    // Leave with a parting message, then Complete: the chat has left the agent.
    assert.equal((await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "Leave", text: "Goodbye!" })).body.statusCode, 0);
    const completed = await seen(ga, chatState(id, "Completed"), "Completed");
    assert.deepEqual(completed.chat.capabilities, []);
    assert.equal((await api.request("POST", `/me/chats/${id}`, ann.headers, { operationName: "Complete" })).body.statusCode, 0);
    assert.deepEqual((await api.request("GET", "/me/chats", ann.headers)).body.chats, []);
    assert.ok(entries(await chat.call(service, "ixn/chat/refresh", { transcriptPosition: "1" })).some((e) => e[2] === "Goodbye!"));
    // Out of the way of the next test's offers.
    await api.request("POST", "/me/channels/chat", ann.headers, { operationName: "NotReady" });
  });

  it("Reject sends the offer to the next agent; Complete ends a chat; refusals keep the GWS form", async () => {
    const bea = await api.createAgent("bea");
    const cal = await api.createAgent("cal");
    const beaBus = await listening(bea, "/v2/me/chats");
    const calBus = await listening(cal, "/v2/me/chats");
    for (const agent of [bea, cal]) await api.ready(agent, "chat");
    const { id } = await customerChat("reject me");
    const [first, second, firstBus, secondBus] = await eventually(
      async () => {
        if (beaBus.received.some((m) => chatState(id, "Ringing")(m.data))) return [bea, cal, beaBus, calBus] as const;
        if (calBus.received.some((m) => chatState(id, "Ringing")(m.data))) return [cal, bea, calBus, beaBus] as const;
        return undefined;
      },
      5000,
      "the offer to one of them",
    );
    assert.equal((await api.request("POST", `/me/chats/${id}`, first.headers, { operationName: "Reject" })).body.statusCode, 0);
    await seen(firstBus, chatState(id, "Completed"), "the rejected offer gone for the first agent");
    await seen(secondBus, chatState(id, "Ringing"), "the offer to the second agent");
    await api.request("POST", `/me/chats/${id}`, second.headers, { operationName: "Accept" });
    await seen(secondBus, chatState(id, "Chatting"), "Chatting");

    const unknown = await api.request("POST", `/me/chats/${id}`, second.headers, { operationName: "Dance" });
    assert.deepEqual([unknown.status, unknown.body.statusCode], [400, 1]);
    const notTheirs = await api.request("POST", `/me/chats/${id}`, first.headers, { operationName: "SendMessage", text: "hi" });
    assert.deepEqual([notTheirs.status, notTheirs.body.statusCode], [404, 6]);
    const openMedia = await api.submit({ subject: "not a chat" });
    const notAChat = await api.request("GET", `/me/chats/${openMedia}`, { ...second.headers });
    assert.equal(notAChat.status, 404);

    assert.equal((await api.request("POST", `/me/chats/${id}`, second.headers, { operationName: "Complete" })).body.statusCode, 0);
    await seen(secondBus, chatState(id, "Completed"), "Completed");
    const again = await api.request("POST", `/me/chats/${id}`, second.headers, { operationName: "SendMessage", text: "too late" });
    assert.equal(again.body.statusCode === 0, false, "nothing more to say in a completed chat");
    for (const agent of [bea, cal]) await api.request("POST", "/me/channels/chat", agent.headers, { operationName: "NotReady" });
  });

  it("in a conference: a member may not Transfer or Invite; Leave then Complete works for a member too", async () => {
    const dee = await api.createAgent("dee");
    const eve = await api.createAgent("eve");
    const deeBus = await listening(dee, "/v2/me/chats");
    const eveBus = await listening(eve, "/v2/me/chats");
    await api.ready(dee, "chat");
    const { id } = await customerChat("conference");
    await seen(deeBus, chatState(id, "Ringing"), "the offer");
    await api.request("POST", `/me/chats/${id}`, dee.headers, { operationName: "Accept" });
    const owner = await seen(deeBus, chatState(id, "Chatting"), "Chatting");
    assert.ok(owner.chat.capabilities.includes("Transfer") && owner.chat.capabilities.includes("Invite"));
    assert.equal((await api.request("POST", `/me/chats/${id}`, dee.headers, { operationName: "Invite", targetId: eve.id })).body.statusCode, 0);
    await seen(eveBus, chatState(id, "Ringing"), "the invitation");
    await api.request("POST", `/me/chats/${id}`, eve.headers, { operationName: "Accept" });
    const member = await seen(eveBus, chatState(id, "Chatting"), "the member chatting");
    assert.equal(member.chat.capabilities.includes("Transfer"), false);
    assert.equal(member.chat.capabilities.includes("Invite"), false);
    assert.ok(member.chat.capabilities.includes("SendMessage") && member.chat.capabilities.includes("Leave"));

    assert.equal((await api.request("POST", `/me/chats/${id}`, eve.headers, { operationName: "Leave" })).body.statusCode, 0);
    await seen(eveBus, chatState(id, "Completed"), "the member gone");
    assert.equal((await api.request("POST", `/me/chats/${id}`, eve.headers, { operationName: "Complete" })).body.statusCode, 0);
    assert.equal((await api.request("GET", `/me/chats/${id}`, dee.headers)).body.chat.state, "Chatting", "the owner goes on");
    await api.request("POST", `/me/chats/${id}`, dee.headers, { operationName: "Complete" });
  });
});

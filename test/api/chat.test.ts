/**
 * Chat API v1 end to end (seed 004), black box: a customer app opens a chat service and a chat,
 * an agent on the official CometD client is offered it, accepts, and both talk; in poll mode the
 * transcript rides the HTTP replies, in CometD mode it is pushed on `/_genesys`. Transfer and
 * conference as the customer sees them, recovery after a lost connection, and the history.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi, entries, postForm } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { tcpProxy } from "../support/sockets.ts";
import { assertGmsError, eventually, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;
before(async () => {
  // The apps here are trusted to say who their customer is (customer_id, email): history is filed
  // under them. What an untrusted client's claim gets is in test/security/chat-identity.test.ts.
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", CHAT_TRUST_CLIENT_IDENTITY: "true" } });
  api = agentApi(server.url);
  chat = chatApi(server.url);
});
after(() => server.close());

/** Chats of every test route through queue `default`: one agent Ready at a time, the others NotReady. */
async function onlyReady(agent: TestAgent): Promise<void> {
  for (const other of agents) {
    if (other !== agent) await api.request("POST", "/me/channels/chat", other.headers, { operationName: "NotReady" });
  }
  await api.ready(agent, "chat");
}
const agents: TestAgent[] = [];
let agentCount = 0;
async function newAgent(firstName: string): Promise<TestAgent> {
  const agent = await api.createAgent(`chat${++agentCount}`, { firstName });
  agents.push(agent);
  return agent;
}

/** The agent's official CometD client on `/v2/me/interactions`. */
async function agentClient(agent: TestAgent): Promise<TestClient> {
  const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  await client.handshake();
  await client.subscribe("/v2/me/interactions");
  return client;
}

async function customerClient(gmsUser: string, url = server.url): Promise<TestClient> {
  const client = cometdClient(`${url}/genesys/cometd`, { transport: "long-polling", gmsUser });
  await client.handshake();
  await client.subscribe("/_genesys");
  return client;
}

/** Waits for a message matching `match` among those received (old ones included). */
async function received(client: TestClient, match: (m: Message) => boolean, what: string): Promise<Message> {
  return eventually(async () => client.received.find(match), 5000, what);
}

const newMessages = (ixId: string, text: string) => (m: Message) =>
  m.data?.notificationType === "NewMessages" && m.data.id === ixId && m.data.messages.some((e: { text: string }) => e.text === text);

/** Transcript entries pushed to a customer so far, in order. */
function pushed(client: TestClient, serviceId: string): string[][] {
  return client.received.filter((m) => m.data?.tag === `service.chat.refresh.${serviceId}`).flatMap((m) => m.data.message.transcriptToShow ?? []);
}

describe("poll mode", () => {
  it("creates, routes, accepts; messages and typing both ways ride the replies; disconnect makes history", async () => {
    const ann = await newAgent("Ann");
    await onlyReady(ann);
    const annBus = await agentClient(ann);
    try {
      const id = await chat.create("request-chat", { topic: "billing", customer_id: "cust-poll-1" });
      const start = await chat.call(id, "ixn/chat", { firstName: "Vasya", lastName: "Pupkin", email: "vasya@example.com", subject: "refund" });
      assert.equal(start.status, 200, start.text);
      assert.equal(start.body.chatIxnState, "CONNECTED");
      assert.equal(start.body.transcriptPosition, "1");
      assert.equal(start.body.chatServiceMessage, "Chat service is available");
      assert.equal(start.headers.get("cache-control"), "no-cache, no-store");
      const ixId = start.body.chatSessionId as string;
      assert.match(ixId, /^[0-9A-Za-z]{16}$/);

      const offered = await received(annBus, (m) => m.data?.notificationType === "NewInteraction" && m.data.id === ixId, "the offer");
      assert.equal(offered.data.interaction.mediaType, "chat");
      assert.equal(offered.data.interaction.userData.fldnFirstName, "Vasya");
      assert.equal(offered.data.interaction.userData.topic, "billing");
      assert.match(offered.data.interaction.userData.poke_url, new RegExp(`/genesys/1/service/${id}/internal-poke$`));
      assert.equal((await api.operate(ann, ixId, { operationName: "Accept" })).body.statusCode, 0);

      const first = await chat.call(id, "ixn/chat/refresh", { message: "hello agent" });
      assert.equal(first.body.chatIxnState, "TRANSCRIPT");
      assert.deepEqual(
        entries(first).map((e) => [e[0], e[1], e[2], e[4]]),
        [
          ["Notice.Joined", "Ann", "has joined the session", "AGENT"],
          ["Message.Text", "VasyaP", "hello agent", "CLIENT"],
        ],
      );
      assert.equal(first.body.transcriptPosition, "3");
      assert.match(entries(first)[0]?.[3] ?? "", /^\d+$/);
      assert.match(first.body.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      await received(annBus, newMessages(ixId, "hello agent"), "the customer's message at the agent");

      assert.equal((await api.operate(ann, ixId, { operationName: "StartTyping" })).body.statusCode, 0);
      assert.equal((await api.operate(ann, ixId, { operationName: "SendMessage", text: "hello customer" })).body.statusCode, 0);
      assert.equal((await api.operate(ann, ixId, { operationName: "PushUrl", url: "https://example.com/faq" })).body.statusCode, 0);
      const typing = await chat.call(id, "ixn/chat/startTyping");
      assert.deepEqual(
        entries(typing).map((e) => [e[0], e[2]]),
        [
          ["Notice.TypingStarted", "is typing"],
          ["Message.Text", "hello customer"],
          ["Notice.PushUrl", "https://example.com/faq"],
          ["Notice.TypingStarted", "is typing"],
        ],
      );
      assert.equal(typing.body.transcriptPosition, "7");
      const stop = await chat.call(id, "ixn/chat/stopTyping");
      assert.deepEqual(
        entries(stop).map((e) => [e[0], e[4]]),
        [["Notice.TypingStopped", "CLIENT"]],
      );
      const sent = await chat.call(id, "ixn/chat/send", { message: "thanks" });
      assert.deepEqual(
        entries(sent).map((e) => e[2]),
        ["thanks"],
      );
      const nothingNew = await chat.call(id, "ixn/chat/refresh");
      assert.deepEqual(entries(nothingNew), []);
      assert.equal(nothingNew.body.transcriptPosition, "9");

      const all = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" });
      assert.deepEqual(
        entries(all).map((e) => e[2]),
        ["has joined the session", "hello agent", "is typing", "hello customer", "https://example.com/faq", "is typing", "stopped typing", "thanks"],
      );
      const tail = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "8" });
      assert.deepEqual(
        entries(tail).map((e) => e[2]),
        ["thanks"],
      );

      const bye = await chat.call(id, "ixn/chat/disconnect");
      assert.deepEqual([bye.body.chatIxnState, bye.body.chatServiceMessage, bye.body.transcriptPosition], ["DISCONNECTED", "Chat was finished", "10"]);
      await received(annBus, (m) => m.data?.notificationType === "StatusChange" && m.data.id === ixId && m.data.state === "Completed", "the end at the agent");
      await received(annBus, newMessages(ixId, "has left the session"), "the customer's leaving at the agent");

      const history = await get(`${server.cs}/interactions/${ixId}`);
      assert.equal(history.status, 200);
      assert.equal(history.body.media_type, "chat");
      assert.equal(history.body.structured_text_mime, "text/xml");
      const plain = await get(`${server.cs}/interactions/${ixId}/plain_text`);
      assert.match(plain.text, /VasyaP: hello agent\n/);
      assert.match(plain.text, /Ann: hello customer\n/);
      const xml = await get(`${server.cs}/interactions/${ixId}/structured_text`);
      assert.match(xml.headers.get("content-type") ?? "", /^text\/xml/);
      assert.match(xml.text, /<entry position="2" type="Message.Text" nick="VasyaP" userType="CLIENT" timeShift="\d+">hello agent<\/entry>/);
      const mine = await get(`${server.cs}/customers/cust-poll-1/interactions`);
      assert.equal(mine.status, 200, mine.text);
      assert.ok(JSON.stringify(mine.body).includes(ixId), "the history is the customer's");
    } finally {
      await annBus.disconnect();
    }
  });

  it("_verbose gives the create URL with hyphens, and the detail fields and URLs on the chat", async () => {
    const created = await postForm(`${chat.service}/request-chat`, { _verbose: "true" });
    const id = created.body._id as string;
    assert.deepEqual(Object.keys(created.body).sort(), ["_chatIxnAPI-CREATE-URL", "_id"]);
    assert.equal(created.body["_chatIxnAPI-CREATE-URL"], `/genesys/1/service/${id}/ixn/chat`);
    const start = await chat.call(id, "ixn/chat", { _verbose: "true", userDisplayName: "Buzz" });
    for (const key of [
      "userId",
      "secureKey",
      "chatServerHost",
      "chatWebApiPort",
      "isTLSrequired",
      "clientTimeZoneOffset",
      "checkChatServiceLoadBalancerPath",
      "chatServerLoadBalancerAlias",
    ]) {
      assert.equal(typeof start.body[key], "string", key);
    }
    assert.equal(start.body._chatIxnAPI_REFRESH_FROM_START_URL, `/genesys/1/service/${id}/ixn/chat/refresh?transcriptPosition=1`);
    for (const op of ["SEND", "REFRESH", "START_TYPING", "STOP_TYPING", "DISCONNECT"]) assert.ok(start.body[`_chatIxnAPI_${op}_URL`], op);
    const typing = await chat.call(id, "ixn/chat/startTyping");
    assert.deepEqual(entries(typing)[0]?.slice(0, 2), ["Notice.TypingStarted", "Buzz"]);
    await chat.call(id, "ixn/chat/disconnect");
  });
});

describe("CometD mode", () => {
  it("pushes every update on /_genesys to the creating gms_user; transfer and conference as the customer sees them", async () => {
    const bob = await newAgent("Bob");
    const cid = await newAgent("Cid");
    const dee = await newAgent("Dee");
    await onlyReady(bob);
    const [bobBus, cidBus] = [await agentClient(bob), await agentClient(cid)];
    const customer = await customerClient("buzz");
    const bystander = await customerClient("someone-else");
    try {
      const id = await chat.create("request-chat", {}, { gms_user: "buzz" });
      const start = await chat.call(id, "ixn/chat", { notify_by: "comet", firstName: "Buzz", lastName: "Brain" }, { gms_user: "buzz" });
      assert.equal(start.body.message, "Messages will sent over CometD service channel /_genesys");
      assert.equal(start.body.chatIxnState, "CONNECTED");
      const opening = await received(customer, (m) => m.data?.tag === `service.chat.refresh.${id}`, "the first push");
      assert.equal(opening.channel, "/_genesys");
      assert.match(opening.data.id, /^[0-9a-f]{32}$/);
      assert.deepEqual(opening.data.message.transcriptToShow, []);
      const ixId = opening.data.message.chatSessionId as string;

      await received(bobBus, (m) => m.data?.notificationType === "NewInteraction" && m.data.id === ixId, "the offer");
      await api.operate(bob, ixId, { operationName: "Accept" });
      await eventually(async () => (pushed(customer, id).some((e) => e[0] === "Notice.Joined" && e[1] === "Bob") ? true : undefined), 5000, "Joined");

      const echo = await chat.call(id, "ixn/chat/refresh", { message: "hello agent", _verbose: "true" }, { gms_user: "buzz" });
      assert.equal(echo.body.message, "Messages will sent over CometD service channel /_genesys");
      assert.equal(echo.body.transcriptToShow, undefined, "the transcript goes out as pushes");
      const own = await received(customer, (m) => (m.data?.message?.transcriptToShow ?? []).some((e: string[]) => e[2] === "hello agent"), "the echo");
      assert.ok(own.data.message._chatIxnAPI_SEND_URL, "the echo of a verbose call is verbose");
      await api.operate(bob, ixId, { operationName: "SendStartTypingNotification" });
      await api.operate(bob, ixId, { operationName: "SendMessage", text: "how can I help?" });
      await chat.call(id, "ixn/chat/startTyping", {}, { gms_user: "buzz" });
      await eventually(
        async () => (pushed(customer, id).some((e) => e[0] === "Notice.TypingStarted" && e[4] === "CLIENT") ? true : undefined),
        5000,
        "own typing",
      );

      // Transfer: Bob leaves, Cid joins; Cid sees the whole transcript.
      await api.operate(bob, ixId, { operationName: "Transfer", targetId: cid.id });
      await received(cidBus, (m) => m.data?.notificationType === "NewInteraction" && m.data.id === ixId, "the transfer");
      await api.operate(cid, ixId, { operationName: "Accept" });
      await eventually(async () => (pushed(customer, id).some((e) => e[0] === "Notice.Joined" && e[1] === "Cid") ? true : undefined), 5000, "Cid joined");
      const kinds = pushed(customer, id).map((e) => `${e[0]} ${e[1]}`);
      assert.ok(kinds.indexOf("Notice.Left Bob") < kinds.indexOf("Notice.Joined Cid"), `Left then Joined: ${kinds.join(", ")}`);
      const history = await received(cidBus, newMessages(ixId, "hello agent"), "the whole transcript at the new agent");
      assert.ok(history.data.messages.some((e: { text: string }) => e.text === "how can I help?"));

      // Conference: Dee joins, then leaves.
      await api.ready(dee, "chat");
      await api.operate(cid, ixId, { operationName: "StartConference", agentId: dee.id });
      await api.operate(dee, ixId, { operationName: "Accept" });
      await eventually(async () => (pushed(customer, id).some((e) => e[0] === "Notice.Joined" && e[1] === "Dee") ? true : undefined), 5000, "Dee joined");
      await api.operate(dee, ixId, { operationName: "SendMessage", text: "supervisor here" });
      await received(cidBus, newMessages(ixId, "supervisor here"), "Dee's message at Cid");
      await api.operate(dee, ixId, { operationName: "LeaveConference" });
      await eventually(async () => (pushed(customer, id).some((e) => e[0] === "Notice.Left" && e[1] === "Dee") ? true : undefined), 5000, "Dee left");

      // Positions are consecutive and every entry arrived once.
      const all = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" }, { gms_user: "buzz" });
      assert.deepEqual(pushed(customer, id), entries(all));

      const bye = await chat.call(id, "ixn/chat/disconnect", {}, { gms_user: "buzz" });
      assert.equal(bye.body.chatIxnState, "DISCONNECTED");
      await received(cidBus, (m) => m.data?.notificationType === "StatusChange" && m.data.id === ixId && m.data.state === "Completed", "the end at Cid");
      assert.equal(bystander.received.length, 0, "nothing reaches another gms_user");
    } finally {
      for (const c of [bobBus, cidBus, customer, bystander]) await c.disconnect();
    }
  });

  it("after a dropped connection, a new handshake and refresh from a position recover every message", async () => {
    const eve = await newAgent("Eve");
    await onlyReady(eve);
    const proxy = await tcpProxy(server.url);
    const customer = await customerClient("dropper", proxy.url);
    try {
      const id = await chat.create("request-chat", {}, { gms_user: "dropper" });
      await chat.call(id, "ixn/chat", { notify_by: "comet" }, { gms_user: "dropper" });
      const opening = await received(customer, (m) => m.data?.tag === `service.chat.refresh.${id}`, "the first push");
      const ixId = opening.data.message.chatSessionId as string;
      await api.sees(eve, ixId, "Invited");
      await api.operate(eve, ixId, { operationName: "Accept" });
      await api.operate(eve, ixId, { operationName: "SendMessage", text: "one" });
      await eventually(async () => (pushed(customer, id).some((e) => e[2] === "one") ? true : undefined), 5000, "one");
      const seen = pushed(customer, id).length;

      // The connection is lost; the agent goes on talking meanwhile.
      await customer.disconnect();
      proxy.cut();
      for (const text of ["two", "three", "four"]) await api.operate(eve, ixId, { operationName: "SendMessage", text });

      const back = await customerClient("dropper");
      try {
        const recovered = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: String(seen + 1) }, { gms_user: "dropper" });
        assert.equal(recovered.status, 200);
        assert.deepEqual(
          entries(recovered).map((e) => e[2]),
          ["two", "three", "four"],
        );
        assert.equal(recovered.body.transcriptPosition, String(seen + 4));
        await api.operate(eve, ixId, { operationName: "SendMessage", text: "five" });
        await eventually(async () => (pushed(back, id).some((e) => e[2] === "five") ? true : undefined), 5000, "five on the new client");
      } finally {
        await back.disconnect();
        await chat.call(id, "ixn/chat/disconnect", {}, { gms_user: "dropper" });
      }
    } finally {
      await customer.disconnect();
      await proxy.close();
    }
  });
});

describe("history and WebSocket customers", () => {
  it("a chat over WebSocket (identity in the handshake ext) ends as history under the profile holding its email", async () => {
    const ivy = await newAgent("Ivy");
    await onlyReady(ivy);
    const profile = await post(`${server.cs}/profiles`, { FirstName: "Wes", EmailAddress: ["wes@example.com"] });
    assert.equal(profile.status, 201, profile.text);
    const customer = cometdClient(`${server.url}/genesys/cometd`, { transport: "websocket", handshake: { ext: { gms_user: "wes" } } });
    await customer.handshake();
    await customer.subscribe("/_genesys");
    try {
      const id = await chat.create("request-chat", {}, { gms_user: "wes" });
      await chat.call(id, "ixn/chat", { notify_by: "comet", email: "wes@example.com", firstName: "Wes" }, { gms_user: "wes" });
      const opening = await received(customer, (m) => m.data?.tag === `service.chat.refresh.${id}`, "the first push over WebSocket");
      const ixId = opening.data.message.chatSessionId as string;
      await api.sees(ivy, ixId, "Invited");
      await api.operate(ivy, ixId, { operationName: "Accept" });
      await api.operate(ivy, ixId, { operationName: "SendMessage", text: "over the socket" });
      await eventually(async () => (pushed(customer, id).some((e) => e[2] === "over the socket") ? true : undefined), 5000, "the agent's message");
      // The agent ends it: the customer sees Left and DISCONNECTED.
      await api.operate(ivy, ixId, { operationName: "StopProcessing" });
      const ended = await received(customer, (m) => m.data?.message?.chatIxnState === "DISCONNECTED", "the end");
      assert.deepEqual(
        ended.data.message.transcriptToShow.map((e: string[]) => [e[0], e[1]]),
        [["Notice.Left", "Ivy"]],
      );
      assertGmsError(await chat.call(id, "ixn/chat/send", { message: "anyone?" }, { gms_user: "wes" }), 400, "InvalidStateException");
      const list = await get(`${server.cs}/customers/${profile.body.customer_id}/interactions`);
      assert.ok(JSON.stringify(list.body).includes(ixId), `history under the customer: ${list.text}`);
    } finally {
      await customer.disconnect();
    }
  });
});

describe("advanced service (request-chat-poll)", () => {
  it("answers waiting and 503 until an agent could take the chat, then available, also over CometD", async () => {
    for (const other of agents) await api.request("POST", "/me/channels/chat", other.headers, { operationName: "NotReady" });
    const customer = await customerClient("poller");
    try {
      const created = await postForm(`${chat.service}/request-chat-poll`, { _verbose: "true" }, { gms_user: "poller" });
      const id = created.body._id as string;
      assert.equal(created.body._session_comand_STATUS_URL, `/genesys/1/service/${id}/status`);
      const waiting = await chat.call(id, "status", {}, { gms_user: "poller" });
      // With handle times measured by the chats before, the estimated wait too (queue-statistics.test.ts checks it).
      const { _estimated_wait_seconds: estimate, ...message } = waiting.body.message;
      assert.deepEqual(
        { ...waiting.body, message },
        { message: { _id: id, _status: "waiting", _dialog: "waiting_for_agent.html" }, tag: `a2c.advanced.service.statuschanged.${id}` },
      );
      assert.ok(estimate === undefined || Number.isInteger(estimate), `an estimate in whole seconds: ${estimate}`);
      const early = await chat.call(id, "ixn/chat", {}, { gms_user: "poller" });
      assert.equal(early.status, 503);
      assert.equal(early.body.exception, "ServiceUnavailableException");
      assert.equal((await chat.call(id, "ixn/chat/refresh", {}, { gms_user: "poller" })).status, 503);

      const fay = await newAgent("Fay");
      await api.ready(fay, "chat");
      // The sweep tells a waiting customer without being asked.
      const pushedStatus = await received(customer, (m) => m.data?.tag === `a2c.advanced.service.agentavailable.${id}`, "the availability push");
      assert.equal(pushedStatus.data.message._status, "available");
      const available = await chat.call(id, "status", { _verbose: "true" }, { gms_user: "poller" });
      assert.equal(available.body.tag, `a2c.advanced.service.agentavailable.${id}`);
      assert.equal(available.body.message._chatIxnAPI_CREATE_URL, `/genesys/1/service/${id}/ixn/chat`);
      const start = await chat.call(id, "ixn/chat", {}, { gms_user: "poller" });
      assert.equal(start.status, 200, start.text);
      await api.sees(fay, start.body.chatSessionId, "Invited");
      await chat.call(id, "ixn/chat/disconnect", {}, { gms_user: "poller" });
    } finally {
      await customer.disconnect();
    }
  });
});

describe("agent chat operations", () => {
  it("need an accepted chat, and PushUrl takes only http(s)", async () => {
    const gil = await newAgent("Gil");
    await onlyReady(gil);
    const id = await chat.create();
    const ixId = (await chat.call(id, "ixn/chat")).body.chatSessionId as string;
    await api.sees(gil, ixId, "Invited");
    const early = await api.operate(gil, ixId, { operationName: "SendMessage", text: "too soon" });
    assert.deepEqual([early.status, early.body.statusCode], [409, 2]);
    await api.operate(gil, ixId, { operationName: "Accept" });
    for (const body of [
      { operationName: "SendMessage" },
      { operationName: "SendMessage", text: "" },
      { operationName: "PushUrl", url: "javascript:alert(1)" },
    ]) {
      const refused = await api.operate(gil, ixId, body);
      assert.deepEqual([refused.status, refused.body.statusCode], [400, 1], JSON.stringify(body));
    }
    const other = await api.operate(gil, "NoSuchInteract1", { operationName: "SendMessage", text: "x" });
    assert.equal(other.status, 404);
    assert.deepEqual(
      entries(await chat.call(id, "ixn/chat/refresh")).map((e) => e[0]),
      ["Notice.Joined"],
    );
    await chat.call(id, "ixn/chat/disconnect");
    const after = await api.operate(gil, ixId, { operationName: "SendMessage", text: "gone" });
    assert.deepEqual([after.status, after.body.statusCode], [409, 2], "a completed chat takes no more messages");
  });
});

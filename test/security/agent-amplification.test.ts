/**
 * Issue 15, item 5: about 2 MB of a customer's attached data went twice (`properties` and
 * `userData`) into every agent notification; ten 40-byte typing notices queued 40 MB for one
 * agent. Now attached data has a cap at creation and after every update, it appears once in an
 * interaction object, and only a new interaction or a change of state carries that object:
 * `NewMessages` carries the entries with the interaction's id and state, `PropertiesUpdated`
 * only what changed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, INTERACTION_MAX_DATA_BYTES: "36864", CHAT_ENTRIES_PER_MINUTE: "0" } });
  api = agentApi(server.url);
});
after(() => server.close());

async function desk(agent: TestAgent): Promise<TestClient> {
  const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  await client.handshake();
  await client.subscribe("/v2/me/interactions");
  return client;
}

const about = (client: TestClient, id: string, type: string) =>
  client.received.filter((m: Message) => m.data?.id === id && m.data.notificationType === type).map((m: Message) => m.data);

describe("attached data", () => {
  it("past INTERACTION_MAX_DATA_BYTES is refused at submission and by an update that would grow past it; nothing changes", async () => {
    const agent = await api.createAgent("capped");
    await api.ready(agent);
    const big = { blob: "x".repeat(40_000) };
    const refused = await api.request("POST", "/interactions", ADMIN, { mediaType: "openmedia", properties: big });
    assert.deepEqual([refused.status, refused.body.statusCode], [400, 1], refused.text);
    assert.match(refused.body.errorDescription, /at most 36864 bytes/);
    const id = await api.submit({ half: "x".repeat(20_000) });
    await api.sees(agent, id, "Invited");
    await api.operate(agent, id, { operationName: "Accept" });
    const grow = await api.operate(agent, id, { operationName: "UpdateProperties", properties: { more: "x".repeat(20_000) } });
    assert.deepEqual([grow.status, grow.body.statusCode], [400, 1], grow.text);
    const put = await api.request("PUT", `/interactions/${id}`, agent.headers, { properties: { more: "x".repeat(20_000) } });
    assert.equal(put.status, 400);
    const now = (await api.request("GET", `/interactions/${id}`, agent.headers)).body.interaction;
    assert.deepEqual(Object.keys(now.userData), ["half"], "unchanged");
    await api.request("POST", "/me/channels/openmedia", agent.headers, { operationName: "NotReady" });
  });
});

describe("agent notifications", () => {
  it("a new interaction and a change of state carry the object once (userData, no properties); PropertiesUpdated only what changed", async () => {
    const agent = await api.createAgent("shapes");
    const client = await desk(agent);
    try {
      await api.ready(agent);
      const id = await api.submit({ blob: "x".repeat(10_000), keep: 1 });
      await eventually(async () => about(client, id, "NewInteraction")[0], 5000, "the offer");
      await api.operate(agent, id, { operationName: "Accept" });
      await eventually(async () => about(client, id, "StatusChange")[0], 5000, "the accept");
      await api.operate(agent, id, { operationName: "UpdateProperties", properties: { disposition: "done", keep: null } });
      const [update] = await eventually(async () => {
        const got = about(client, id, "PropertiesUpdated");
        return got.length > 0 ? got : undefined;
      });
      for (const full of [...about(client, id, "NewInteraction"), ...about(client, id, "StatusChange")]) {
        assert.equal(full.interaction.userData.blob.length, 10_000);
        assert.equal("properties" in full.interaction, false, "the attached data once");
      }
      assert.deepEqual(update, {
        messageType: "InteractionStateMessage",
        messageTypeName: "InteractionStateMessage",
        notificationType: "PropertiesUpdated",
        id,
        state: "Accepted",
        changedProperties: { disposition: "done", keep: null },
      });
    } finally {
      await client.disconnect();
    }
  });

  it("ten typing notices of a chat with 16 KiB of attached data reach the agent as ten small NewMessages, not ten copies of the data", async () => {
    const agent = await api.createAgent("typist-watcher");
    const client = await desk(agent);
    try {
      await api.ready(agent, "chat");
      const chat = chatApi(server.url);
      const data = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`k${i}`, "d".repeat(4000)]));
      const id = await chat.create("request-chat", data);
      const started = await chat.call(id, "ixn/chat", { firstName: "Ty" });
      const ixId = started.body.chatSessionId as string;
      await api.sees(agent, ixId, "Invited");
      await api.operate(agent, ixId, { operationName: "Accept" });
      await eventually(async () => about(client, ixId, "NewMessages")[0], 5000, "the transcript at accept");
      const before = about(client, ixId, "NewMessages").length;
      for (let i = 0; i < 10; i++) await chat.call(id, i % 2 === 0 ? "ixn/chat/startTyping" : "ixn/chat/stopTyping");
      const typing = await eventually(
        async () => {
          const got = about(client, ixId, "NewMessages").slice(before);
          return got.length >= 10 ? got : undefined;
        },
        5000,
        "ten notices",
      );
      for (const message of typing) {
        assert.equal(message.interaction, undefined);
        assert.deepEqual(Object.keys(message), ["messageType", "messageTypeName", "notificationType", "id", "state", "messages"]);
        assert.ok(JSON.stringify(message).length < 1024, "a notice costs its own size");
        assert.equal("transcriptEntry" in message.messages[0], false, "the text once");
      }
    } finally {
      await client.disconnect();
    }
  });
});

/**
 * What real Chat API v1 clients send and read (issue 18): CometD-mode replies carry the chat
 * object beside GMS's `message` (Genesys's Android sample reads chatSessionId and the URLs from
 * it), `transcriptPosition=0` means from the start, booleans as `True` or `1`, an opening
 * `message` on ixn/chat is the customer's first entry, a service is created with a GET too, and
 * `push_notification_deviceid` on ixn/chat registers the device for push.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chatApi, chatInteraction, entries } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { assertGmsError, eventually, startServer, type TestServer } from "../support/server.ts";

const COMET_MESSAGE = "Messages will sent over CometD service channel /_genesys";

describe("Chat API v1 as real clients use it", () => {
  let server: TestServer;
  let chat: ReturnType<typeof chatApi>;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer();
    chat = chatApi(server.url);
  });
  after(async () => {
    for (const client of clients) await client.disconnect();
    await server.close();
  });

  async function customer(gmsUser: string): Promise<TestClient> {
    const client = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser });
    clients.push(client);
    await client.handshake();
    await client.subscribe("/_genesys");
    return client;
  }

  it("CometD mode: ixn/chat answers the chat object, verbose when asked, with GMS's message in the same body", async () => {
    const id = await chat.create("request-chat", {}, { gms_user: "android" });
    const reply = await chat.call(id, "ixn/chat", { notify_by: "comet", _verbose: "true", firstName: "Ann" }, { gms_user: "android" });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.message, COMET_MESSAGE);
    assert.equal(reply.body.chatIxnState, "CONNECTED");
    assert.match(reply.body.chatSessionId, /\S/);
    assert.equal(reply.body.transcriptPosition, "1");
    assert.equal(reply.body._chatIxnAPI_SEND_URL, `/genesys/1/service/${id}/ixn/chat/send`);
    const refresh = await chat.call(id, "ixn/chat/refresh", { message: "hi" }, { gms_user: "android" });
    assert.equal(refresh.body.message, COMET_MESSAGE);
    assert.equal(refresh.body.chatSessionId, reply.body.chatSessionId);
    assert.equal(refresh.body.transcriptPosition, "2");
    assert.equal(refresh.body._chatIxnAPI_SEND_URL, undefined, "not verbose unless asked");
  });

  it("transcriptPosition=0 is from the start, like 1", async () => {
    const id = await chat.create();
    await chat.call(id, "ixn/chat", { firstName: "Bo" });
    await chat.call(id, "ixn/chat/send", { message: "one" });
    const reply = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "0" });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(
      entries(reply).map((e) => e[2]),
      ["one"],
    );
    assert.equal((await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "-1" })).status, 400);
  });

  for (const spelling of ["True", "TRUE", "1"]) {
    it(`_verbose=${spelling} is true`, async () => {
      const id = await chat.create();
      const reply = await chat.call(id, "ixn/chat", { _verbose: spelling });
      assert.equal(reply.body._chatIxnAPI_REFRESH_URL, `/genesys/1/service/${id}/ixn/chat/refresh`);
    });
  }

  it("a service is created with a GET, its parameters in the query, as with a POST", async () => {
    const reply = await fetch(`${chat.service}/request-chat?_verbose=true&topic=billing`);
    assert.equal(reply.status, 200);
    const body = (await reply.json()) as Record<string, string>;
    assert.match(body._id ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(body["_chatIxnAPI-CREATE-URL"], `/genesys/1/service/${body._id}/ixn/chat`);
    const stored = await server.app.store.chats.get(body._id ?? "");
    assert.deepEqual(stored?.data, { topic: "billing" });
    assert.equal((await fetch(`${chat.service}/no-such-service`)).status, 404);
  });

  it("push_notification_deviceid and _type on ixn/chat register the device, as _device_notification_id and _device_os do", async () => {
    const id = await chat.create();
    await chat.call(id, "ixn/chat", { push_notification_deviceid: "fcm-token-1", push_notification_type: "gcm", push_notification_language: "en" });
    assert.deepEqual((await server.app.store.chats.get(id))?.device, { notificationId: "fcm-token-1", os: "gcm" });
    const early = await chat.create("request-chat", { _device_notification_id: "apns-1", _device_os: "ios" });
    await chat.call(early, "ixn/chat", { firstName: "Di" });
    assert.deepEqual((await server.app.store.chats.get(early))?.device, { notificationId: "apns-1", os: "ios" }, "kept when ixn/chat names none");
    const tooLong = await chat.create();
    const refused = await chat.call(tooLong, "ixn/chat", { push_notification_deviceid: "x".repeat(5000) });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /^push_notification_deviceid: at most/);
  });

  it("an opening message on ixn/chat is the customer's first entry, polled and pushed", async () => {
    const polled = await chat.create();
    await chat.call(polled, "ixn/chat", { firstName: "Cy", message: "My parcel is late" });
    const reply = await chat.call(polled, "ixn/chat/refresh");
    assert.deepEqual(
      entries(reply).map((e) => [e[0], e[1], e[2], e[4]]),
      [["Message.Text", "Cy", "My parcel is late", "CLIENT"]],
    );

    const app = await customer("opener");
    const pushedId = await chat.create("request-chat", {}, { gms_user: "opener" });
    await chat.call(pushedId, "ixn/chat", { notify_by: "comet", message: "Hello?" }, { gms_user: "opener" });
    const first = await eventually(async () => app.received.find((m) => m.data?.tag === `service.chat.refresh.${pushedId}`), 5000, "the first push");
    assert.deepEqual(
      (first.data.message.transcriptToShow as string[][]).map((e) => e[2]),
      ["Hello?"],
    );
  });
});

describe("a service with disconnectedAs400 (GMS's _chat_400_response_on_disconnected)", () => {
  let server: TestServer;
  let chat: ReturnType<typeof chatApi>;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-disconnected-"));
    const configFile = join(dir, "parley.json");
    writeFileSync(configFile, JSON.stringify({ chatServices: [{ name: "bot-chat", kind: "basic", disconnectedAs400: true }] }));
    server = await startServer({ env: { PARLEY_CONFIG: configFile } });
    chat = chatApi(server.url);
  });
  after(() => server.close());

  it("once the chat has ended, refresh and send answer 400 with the GMS body; other services answer DISCONNECTED", async () => {
    const bot = await chat.create("bot-chat");
    await chat.call(bot, "ixn/chat", { firstName: "Bot" });
    assert.equal((await chat.call(bot, "ixn/chat/disconnect")).body.chatIxnState, "DISCONNECTED");
    for (const op of ["refresh", "send"]) {
      const reply = await chat.call(bot, `ixn/chat/${op}`, { message: "still there?" });
      assertGmsError(reply, 400, "InvalidStateException");
    }
    const plain = await chat.create("request-chat");
    await chat.call(plain, "ixn/chat", { firstName: "Eve" });
    await chat.call(plain, "ixn/chat/disconnect");
    const refreshed = await chat.call(plain, "ixn/chat/refresh");
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.chatIxnState, "DISCONNECTED");
  });

  it("a bot's conversation given as chatHistory at creation reaches the agent as attached data", async () => {
    const history = JSON.stringify([
      { from: "bot", text: "What is your order number?" },
      { from: "customer", text: "1234" },
    ]);
    const id = await chat.create("request-chat", { chatHistory: history });
    await chat.call(id, "ixn/chat", { firstName: "Fay" });
    assert.equal((await chatInteraction(server, id)).properties.chatHistory, history);
  });
});

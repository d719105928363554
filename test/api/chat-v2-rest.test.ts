/**
 * Chat API v2 over REST (issue 19, spec reference/chat-v2.md §3): every operation as Genesys
 * Widgets and the other clients send it, the envelope's types as iOS decodes them, and the
 * quirks clients depend on (trailing slash, empty fields, refresh's preview, JSON as a form).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertEnvelope, chatV2Api, postV2, widgetsStartForm, withChatAgent, type AgentSetup, type V2Chat } from "../support/chat-v2.ts";
import { call, eventually, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let v2: ReturnType<typeof chatV2Api>;

before(async () => {
  server = await startServer();
  v2 = chatV2Api(server.url);
});
after(() => server.close());

/** Events of an answer, as `type:text` (text only when there is one). */
const summary = (body: { messages: { type: string; text?: string }[] }) => body.messages.map((m) => (m.text === undefined ? m.type : `${m.type}:${m.text}`));

async function accepted({ api, agent }: AgentSetup, chat: V2Chat): Promise<void> {
  await api.sees(agent, chat.chatId, "Invited");
  assert.equal((await api.operate(agent, chat.chatId, { operationName: "Accept" })).status, 200);
}

describe("requestChat", () => {
  it("answers Widgets' start (trailing slash, empty fields) with the customer's join at index 1 and every id", async () => {
    const { reply, chatId } = await v2.start();
    assert.equal(reply.statusCode, 0);
    assert.equal(reply.chatEnded, false);
    assert.equal(reply.alias, "1");
    assert.match(reply.chatId, /^[A-Za-z0-9]{16}$/);
    assert.match(reply.userId, /^[A-Za-z0-9]{16}$/);
    assert.ok(reply.secureKey.length >= 22, "128 bits or more");
    assert.equal(reply.nextPosition, 2);
    assert.deepEqual(reply.messages[0]?.from, { nickname: "Ann Lee", participantId: 1, type: "Client" });
    assert.equal(reply.messages[0]?.index, 1);
    assert.equal(reply.messages[0]?.type, "ParticipantJoined");
    // The chat is a routed chat interaction like any other, its userData attached.
    const ix = await server.app.store.agentInteractions.get(chatId);
    assert.equal(ix?.mediaType, "chat");
    assert.equal(ix?.properties._genesys_source, "web");
    assert.equal(ix?.properties.fldnEmailAddress, "ann@example.com");
    assert.equal(ix?.properties.subject, "My order");
    assert.equal(ix?.properties.nickname, "Ann Lee", "desktops name the customer from it");
  });

  it("takes the path without the slash, a nickname, and an opening text as the first message", async () => {
    const reply = await postV2(v2.base, { nickname: "Bot Tester", text: "I need help" });
    const body = assertEnvelope(reply.body);
    assert.deepEqual(summary(body), ["ParticipantJoined", "Message:I need help"]);
    assert.equal(body.nextPosition, 3);
  });

  it("accepts a JSON body labelled as a form, its userData an object with non-string values", async () => {
    const reply = await call("POST", `${v2.base}/`, JSON.stringify({ nickname: "RN", userData: { a: 1, b: true, c: "x" } }), {
      "content-type": "application/x-www-form-urlencoded",
    });
    const body = assertEnvelope(reply.body);
    const ix = await server.app.store.agentInteractions.get(body.chatId);
    assert.deepEqual([ix?.properties.a, ix?.properties.b, ix?.properties.c], ["1", "true", "x"]);
  });

  it("refuses a missing name (161), a bad email (364), an unknown service (240): HTTP 400 with errors", async () => {
    const cases: [string, Record<string, string>, number][] = [
      [`${v2.base}/`, { nickname: "", firstName: "", lastName: "" }, 161],
      [`${v2.base}/`, { nickname: "x", emailAddress: "not-an-email" }, 364],
      [`${server.url}/genesys/2/chat/no-such-service/`, { nickname: "x" }, 240],
    ];
    for (const [url, form, code] of cases) {
      const reply = await postV2(url, form);
      assert.equal(reply.status, 400, reply.text);
      const body = assertEnvelope(reply.body, false);
      assert.equal(body.statusCode, 2);
      assert.equal(body.errors?.[0]?.code, code);
    }
  });
});

describe("operations on a chat", () => {
  it("send, refresh from a position (its message a preview, never a message), typing, pushUrl, customNotice, nickname", async () => {
    const chat = await v2.start();
    const sent = assertEnvelope((await v2.op(chat, "send", { message: "hello", messageType: "text" })).body);
    assert.deepEqual(sent.messages, [], "no transcriptPosition: no transcript");
    assert.equal(sent.nextPosition, 3);
    assert.equal(sent.secureKey, chat.keys.secureKey, "every answer echoes every id");
    assert.equal((await v2.op(chat, "startTyping", { message: "wh", transcriptPosition: "3" })).status, 200);
    assert.equal((await v2.op(chat, "stopTyping", { message: "", transcriptPosition: "3" })).status, 200);
    assert.equal((await v2.op(chat, "pushUrl", { pushUrl: "https://example.com/order/1" })).status, 200);
    assert.equal((await v2.op(chat, "customNotice", { message: "survey done" })).status, 200);
    assert.equal((await v2.op(chat, "updateNickname", { nickname: "Annie" })).status, 200);
    const polled = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "1", message: "unsent draft" })).body);
    assert.deepEqual(summary(polled), [
      "ParticipantJoined",
      "Message:hello",
      "TypingStarted",
      "TypingStopped",
      "PushUrl:https://example.com/order/1",
      "CustomNotice:survey done",
      "NicknameUpdated:Annie",
    ]);
    assert.deepEqual(
      polled.messages.map((m) => m.index),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(polled.nextPosition, 8);
    // Reading by position is repeatable: the same position gives the same events.
    const again = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "6", message: "" })).body);
    assert.deepEqual(summary(again), ["CustomNotice:survey done", "NicknameUpdated:Annie"]);
    const newest = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "-1" })).body);
    assert.deepEqual(summary(newest), ["NicknameUpdated:Annie"]);
    const sentAgain = assertEnvelope((await v2.op(chat, "send", { message: "after rename", transcriptPosition: "8" })).body);
    assert.deepEqual(
      sentAgain.messages.map((m) => m.from.nickname),
      ["Annie"],
    );
  });

  it("updateData attaches data to the chat's interaction; readReceipt does nothing", async () => {
    const chat = await v2.start();
    const updated = assertEnvelope((await v2.op(chat, "updateData", { "userData[orderId]": "A-17" })).body);
    assert.equal(updated.statusCode, 0);
    assert.equal((await server.app.store.agentInteractions.get(chat.chatId))?.properties.orderId, "A-17");
    const reserved = await v2.op(chat, "updateData", { "userData[nickname]": "Someone Else" });
    assert.equal(reserved.status, 400, "what the server sets is not the customer's to change");
    assert.equal((await server.app.store.agentInteractions.get(chat.chatId))?.properties.nickname, "Ann Lee");
    const receipt = assertEnvelope((await v2.op(chat, "readReceipt", {})).body);
    assert.equal(receipt.statusCode, 0);
    assert.equal(receipt.nextPosition, 2);
  });

  it("an agent accepts: the customer reads the agent's join and message; disconnect ends the chat for both", async () => {
    await withChatAgent(async (setup) => {
      const { api, agent, v2, server } = setup;
      const chat = await v2.start();
      await accepted(setup, chat);
      assert.equal((await api.operate(agent, chat.chatId, { operationName: "SendMessage", text: "Hi Ann" })).status, 200);
      const polled = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "2" })).body);
      assert.deepEqual(summary(polled), ["ParticipantJoined", "Message:Hi Ann"]);
      const agentParty = polled.messages[0]?.from;
      assert.equal(agentParty?.type, "Agent");
      assert.equal(agentParty?.nickname, "Vera");
      assert.ok((agentParty?.participantId ?? 0) > 1, "agents are never the customer's participant 1");
      assert.equal(polled.messages[1]?.from.participantId, agentParty?.participantId, "one party, one participantId");
      const left = assertEnvelope((await v2.op(chat, "disconnect", { transcriptPosition: "4" })).body);
      assert.equal(left.chatEnded, true);
      assert.deepEqual(summary(left), ["ParticipantLeft"]);
      await eventually(async () => ((await server.app.store.agentInteractions.get(chat.chatId))?.state === "Completed" ? true : undefined));
      // Once ended: refresh still answers, chatEnded true; send is refused, statusCode 2.
      const ended = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "1" })).body);
      assert.equal(ended.chatEnded, true);
      const refused = await v2.op(chat, "send", { message: "still there?" });
      assert.equal(refused.status, 200);
      const body = assertEnvelope(refused.body);
      assert.deepEqual([body.statusCode, body.chatEnded, body.errors?.[0]?.code], [2, true, 400], "the send tells the client the chat has ended");
      assert.equal(assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "1" })).body).messages.length, 4, "and adds nothing");
    });
  });
});

describe("identity and errors", () => {
  it("a wrong secureKey or userId: HTTP 200, statusCode 2, chatEnded true, code 401; an unknown chat: 404", async () => {
    const chat = await v2.start();
    const forms: Record<string, string>[] = [{ secureKey: "AAAAAAAAAAAAAAAAAAAAAA" }, { userId: "SomeoneElse00000" }, { secureKey: "" }];
    for (const form of forms) {
      const reply = await v2.op(chat, "send", { message: "x", ...form });
      assert.equal(reply.status, 200);
      const body = assertEnvelope(reply.body, false);
      assert.deepEqual([body.statusCode, body.chatEnded, body.errors?.[0]?.code, body.chatId], [2, true, 401, chat.chatId]);
    }
    const unknown = await postV2(`${v2.base}/NoSuchChat000000/refresh`, chat.keys);
    assert.deepEqual([unknown.status, unknown.body.statusCode, unknown.body.chatEnded, unknown.body.errors[0].code], [200, 2, true, 404]);
    const polled = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "1" })).body);
    assert.equal(polled.messages.length, 1, "nothing was added by the refused requests");
  });

  it("a message over the limit: 400, code 204; an unknown operation: 400; bad positions: 400", async () => {
    const chat = await v2.start();
    const long = await v2.op(chat, "send", { message: "x".repeat(8193) });
    assert.equal(long.status, 400);
    assert.equal(long.body.errors[0].code, 204);
    const unknown = await v2.op(chat, "sing", {});
    assert.equal(unknown.status, 400);
    assertEnvelope(unknown.body, false);
    const position = await v2.op(chat, "refresh", { transcriptPosition: "one" });
    assert.equal(position.status, 400);
    assertEnvelope(position.body, false);
  });

  it("refuses a javascript: pushUrl", async () => {
    const chat = await v2.start();
    const reply = await v2.op(chat, "pushUrl", { pushUrl: "javascript:alert(1)" });
    assert.equal(reply.status, 400);
  });

  it("answers with no-cache headers and JSON", async () => {
    const reply = await postV2(`${v2.base}/`, widgetsStartForm());
    assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(reply.headers.get("cache-control"), "no-cache, no-store");
  });
});

describe("CHAT_V2_API_KEYS", () => {
  it("asks every request for a key (apikey, x-api-key or a Basic password), but a download", async () => {
    const key = "k".repeat(32);
    const keyed = await startServer({ env: { CHAT_V2_API_KEYS: key } });
    try {
      const base = `${keyed.url}/genesys/2/chat/customer-support/`;
      const none = await postV2(base, { nickname: "x" });
      assert.equal(none.status, 401);
      assert.equal(assertEnvelope(none.body, false).errors?.[0]?.code, 401);
      const offered: Record<string, string>[] = [
        { apikey: key },
        { "x-api-key": key },
        { authorization: `Basic ${Buffer.from(`app:${key}`).toString("base64")}` },
      ];
      for (const headers of offered) {
        assert.equal((await postV2(base, { nickname: "x" }, headers)).status, 200, JSON.stringify(headers));
      }
      const download = await postV2(`${keyed.url}/genesys/2/chat/customer-support/Chat000000000000/file/f1/download`, { secureKey: "x" });
      assert.notEqual(download.status, 401, "a download carries no header: it is not asked for a key");
    } finally {
      await keyed.close();
    }
  });
});

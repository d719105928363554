/**
 * Retried sends do not duplicate (issue 20, item 3): a message sent with a `clientMessageId` (a
 * parley extension) is stored once per chat and sender, whatever the client retries, one after
 * the other or at once; the retry answers as the first did and names the same entry. On every
 * surface that sends a message: the Chat API v1 (`send`, `refresh` with a message), v2 (REST
 * `send`, CometD `sendMessage`), and agents (interactions API and GA chat API `SendMessage`).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CometD, type Message } from "cometd";
import { assertEnvelope, chatV2Api, withChatAgent, type V2Chat } from "../support/chat-v2.ts";
import { chatApi, storedChat } from "../support/chat.ts";
import { assertGmsError, call, startServer, until, type Reply, type TestServer } from "../support/server.ts";
import { describeWith, dropSchema } from "../support/suites.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** The texts of a chat's messages (Message.Text entries) as stored, oldest first. */
async function messages(on: TestServer, interactionId: string): Promise<string[]> {
  return (await on.app.store.chats.transcript(interactionId, 1, 1000)).filter((e) => e.type === "Message.Text").map((e) => e.text);
}

const TOO_LONG = "x".repeat(65);

describe("Chat API v1: send and refresh with clientMessageId", () => {
  const open = async () => {
    const chat = chatApi(server.url);
    const id = await chat.create();
    assert.equal((await chat.call(id, "ixn/chat", { firstName: "Vasya" })).status, 200);
    return { chat, id, interactionId: (await storedChat(server, id)).interactionId };
  };

  it("stores a message once: the retry answers as the first did, naming the same position, and shows it from the client's position", async () => {
    const { chat, id, interactionId } = await open();
    const first = await chat.call(id, "ixn/chat/send", { message: "hello", clientMessageId: "m-1" });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.clientMessageId, first.body.clientMessagePosition], ["m-1", "1"]);
    assert.deepEqual(
      first.body.transcriptToShow.map((e: string[]) => e[2]),
      ["hello"],
    );
    const retry = await chat.call(id, "ixn/chat/send", { message: "hello", clientMessageId: "m-1", transcriptPosition: "1" });
    assert.equal(retry.status, 200, retry.text);
    assert.deepEqual([retry.body.chatIxnState, retry.body.clientMessageId, retry.body.clientMessagePosition], ["TRANSCRIPT", "m-1", "1"]);
    assert.deepEqual(
      retry.body.transcriptToShow.map((e: string[]) => e[2]),
      ["hello"],
      "the transcript from the client's position has the original, once",
    );
    assert.deepEqual(await messages(server, interactionId), ["hello"]);
    const other = await chat.call(id, "ixn/chat/send", { message: "hello", clientMessageId: "m-2" });
    assert.equal(other.body.clientMessagePosition, "2", "another id is another message");
    assert.deepEqual(await messages(server, interactionId), ["hello", "hello"]);
  });

  it("takes the id on refresh with a message, in a JSON body too; without one, the answer is GMS's as before", async () => {
    const { chat, id, interactionId } = await open();
    const base = `${chat.service}/${id}/ixn/chat/refresh`;
    const first = await call("POST", base, { message: "typed", clientMessageId: "r.1:a_b-c" });
    const retry = await call("POST", base, { message: "typed", clientMessageId: "r.1:a_b-c" });
    assert.deepEqual([first.status, retry.status], [200, 200], retry.text);
    assert.equal(first.body.clientMessagePosition, "1");
    assert.equal(retry.body.clientMessagePosition, "1");
    const plain = await chat.call(id, "ixn/chat/send", { message: "no id" });
    assert.equal(plain.status, 200);
    assert.equal("clientMessageId" in plain.body || "clientMessagePosition" in plain.body, false, "no new keys for a client that sends no id");
    const empty = await chat.call(id, "ixn/chat/send", { message: "empty id", clientMessageId: "" });
    assert.equal("clientMessageId" in empty.body, false, "an empty id is none");
    assert.deepEqual(await messages(server, interactionId), ["typed", "no id", "empty id"]);
  });

  it("is per chat: the same id in another chat is another message", async () => {
    const a = await open();
    const b = await open();
    await a.chat.call(a.id, "ixn/chat/send", { message: "in a", clientMessageId: "same" });
    const inB = await b.chat.call(b.id, "ixn/chat/send", { message: "in b", clientMessageId: "same" });
    assert.equal(inB.body.clientMessagePosition, "1");
    assert.deepEqual(await messages(server, b.interactionId), ["in b"]);
  });

  it("refuses a malformed id with the GMS 400, storing nothing", async () => {
    const { chat, id, interactionId } = await open();
    for (const bad of ["has space", "ünïcode", TOO_LONG, "a/b"]) {
      assertGmsError(await chat.call(id, "ixn/chat/send", { message: "x", clientMessageId: bad }), 400, "BadRequestException");
    }
    const json = await call("POST", `${chat.service}/${id}/ixn/chat/send`, { message: "x", clientMessageId: 42 });
    assert.match(assertGmsError(json, 400, "BadRequestException").message, /clientMessageId/);
    const query = await chat.call(id, `ixn/chat/send?clientMessageId=${TOO_LONG}`, { message: "x" });
    assertGmsError(query, 400, "BadRequestException");
    assert.deepEqual(await messages(server, interactionId), []);
  });

  it("stores one message when the same send arrives several times at once", async () => {
    const { chat, id, interactionId } = await open();
    const replies = await Promise.all(Array.from({ length: 6 }, () => chat.call(id, "ixn/chat/send", { message: "once", clientMessageId: "burst" })));
    assert.deepEqual(
      replies.map((r) => [r.status, r.body.clientMessagePosition]),
      Array.from({ length: 6 }, () => [200, "1"]),
    );
    assert.deepEqual(await messages(server, interactionId), ["once"]);
  });
});

describe("Chat API v2 REST: send with clientMessageId", () => {
  const v2 = () => chatV2Api(server.url);

  it("stores a message once: the retry answers the same envelope, naming the same index", async () => {
    const api = v2();
    const chat = await api.start();
    const first = assertEnvelope((await api.op(chat, "send", { message: "hi", clientMessageId: "v2-1" })).body);
    const retry = assertEnvelope((await api.op(chat, "send", { message: "hi", clientMessageId: "v2-1" })).body);
    assert.deepEqual([first.statusCode, retry.statusCode], [0, 0]);
    assert.deepEqual(retry, first, "the same envelope");
    assert.deepEqual([retry.clientMessageId, retry.clientMessageIndex], ["v2-1", 2], "index 1 is the customer's join");
    const shown = assertEnvelope((await api.op(chat, "refresh", { transcriptPosition: "1" })).body);
    assert.deepEqual(
      shown.messages.filter((m) => m.type === "Message").map((m) => [m.index, m.text]),
      [[2, "hi"]],
    );
    const other = assertEnvelope((await api.op(chat, "send", { message: "hi", clientMessageId: "v2-2" })).body);
    assert.equal(other.clientMessageIndex, 3);
    assert.deepEqual(await messages(server, chat.chatId), ["hi", "hi"]);
    const plain = (await api.op(chat, "send", { message: "plain" })).body;
    assert.equal("clientMessageId" in plain || "clientMessageIndex" in plain, false, "no new keys for a client that sends no id");
  });

  it("refuses a malformed id with the v2 400 envelope, storing nothing", async () => {
    const api = v2();
    const chat = await api.start();
    for (const bad of ["has space", TOO_LONG]) {
      const reply = await api.op(chat, "send", { message: "x", clientMessageId: bad });
      assert.equal(reply.status, 400, reply.text);
      const body = assertEnvelope(reply.body, false);
      assert.deepEqual([body.statusCode, body.errors?.[0]?.code], [2, 400]);
      assert.match(body.errors?.[0]?.message ?? "", /clientMessageId/);
    }
    assert.deepEqual(await messages(server, chat.chatId), []);
  });

  it("stores one message when the same send arrives several times at once", async () => {
    const api = v2();
    const chat = await api.start();
    const replies = await Promise.all(Array.from({ length: 6 }, () => api.op(chat, "send", { message: "once", clientMessageId: "burst" })));
    assert.deepEqual(
      replies.map((r) => [r.status, assertEnvelope(r.body).clientMessageIndex]),
      Array.from({ length: 6 }, () => [200, 2]),
    );
    assert.deepEqual(await messages(server, chat.chatId), ["once"]);
  });
});

describe("Chat API v2 CometD: sendMessage with clientMessageId", () => {
  const CHANNEL = "/service/chatV2/customer-support";

  /** A Widgets-like client: long-polling, a listener on the service channel, no subscription. */
  async function customer() {
    const cometd = new CometD();
    cometd.unregisterTransport("websocket");
    cometd.configure({ url: `${server.url}/genesys/cometd`, logLevel: "warn" });
    const data: Record<string, unknown>[] = [];
    cometd.addListener(CHANNEL, (m: Message) => data.push(m.data as Record<string, unknown>));
    await new Promise<void>((resolve) => cometd.handshake((m: Message) => m.successful === true && resolve()));
    const publish = (fields: object) => new Promise<Message>((resolve) => cometd.publish(CHANNEL, fields, resolve));
    await publish({ operation: "requestChat", nickname: "Cora" });
    await until(() => data.length > 0, 5000, "requestChat's result");
    const started = assertEnvelope(data[0]);
    const send = (fields: object) => publish({ operation: "sendMessage", secureKey: started.secureKey, ...fields });
    const close = () => new Promise<void>((resolve) => cometd.disconnect(() => resolve()));
    return { data, chatId: started.chatId, send, close };
  }

  /** The answers naming a message (a retry gets no push, so each send with an id is answered). */
  const answers = (data: Record<string, unknown>[]) => data.filter((d) => d.clientMessageId !== undefined);

  it("stores a message once; each send with the id is answered with the same index, the message pushed once", async () => {
    const client = await customer();
    try {
      await client.send({ message: "over comet", clientMessageId: "c-1" });
      await until(() => answers(client.data).length === 1, 5000, "the first answer");
      await client.send({ message: "over comet", clientMessageId: "c-1" });
      await until(() => answers(client.data).length === 2, 5000, "the retry's answer");
      assert.deepEqual(
        answers(client.data).map((d) => [d.statusCode, d.clientMessageId, d.clientMessageIndex]),
        [
          [0, "c-1", 2],
          [0, "c-1", 2],
        ],
      );
      const pushes = client.data.flatMap((d) => (d.messages as { type: string; text?: string }[]).filter((m) => m.type === "Message"));
      assert.deepEqual(
        pushes.map((m) => m.text),
        ["over comet"],
        "pushed once",
      );
      assert.deepEqual(await messages(server, client.chatId), ["over comet"]);
    } finally {
      await client.close();
    }
  });

  it("answers a malformed id with a statusCode 2 data message, storing nothing; sends at once store one message", async () => {
    const client = await customer();
    try {
      await client.send({ message: "x", clientMessageId: "not ok!" });
      await until(() => client.data.some((d) => d.statusCode === 2), 5000, "the refusal");
      const refused = client.data.find((d) => d.statusCode === 2) as { errors: { code: number }[] };
      assert.equal(refused.errors[0]?.code, 400);
      await Promise.all(Array.from({ length: 4 }, () => client.send({ message: "once", clientMessageId: "burst" })));
      await until(() => answers(client.data).length === 4, 5000, "four answers");
      assert.deepEqual(new Set(answers(client.data).map((d) => d.clientMessageIndex)), new Set([2]));
      assert.deepEqual(await messages(server, client.chatId), ["once"]);
    } finally {
      await client.close();
    }
  });
});

describe("agents: SendMessage with clientMessageId", () => {
  /** A v2 chat the agent has accepted. */
  async function accepted(setup: Parameters<Parameters<typeof withChatAgent>[0]>[0]): Promise<V2Chat> {
    const chat = await setup.v2.start();
    await setup.api.sees(setup.agent, chat.chatId, "Invited");
    assert.equal((await setup.api.operate(setup.agent, chat.chatId, { operationName: "Accept" })).status, 200);
    return chat;
  }
  const body = (reply: Reply) => {
    assert.equal(reply.status, 200, reply.text);
    return reply.body;
  };

  it("stores a message once on the interactions and GA chat APIs alike; another sender's same id is another message", async () => {
    await withChatAgent(async (setup) => {
      const { api, agent, v2 } = setup;
      const chat = await accepted(setup);
      const send = (id?: string) =>
        api.operate(agent, chat.chatId, { operationName: "SendMessage", text: "from Vera", ...(id === undefined ? {} : { clientMessageId: id }) });
      const first = body(await send("a-1"));
      assert.deepEqual(first, { status: "ok", statusCode: 0, clientMessageId: "a-1", clientMessageIndex: first.clientMessageIndex });
      assert.ok(Number.isInteger(first.clientMessageIndex));
      assert.deepEqual(body(await send("a-1")), first, "the retry answers the same body");
      const ga = body(
        await api.request("POST", `/me/chats/${chat.chatId}`, agent.headers, { operationName: "SendMessage", text: "from Vera", clientMessageId: "a-1" }),
      );
      assert.deepEqual(ga, first, "the GA API sees the same chat: the same message");
      assert.deepEqual(body(await send()), { status: "ok", statusCode: 0 }, "without an id, the body is as before");
      assert.equal(body(await send("a-2")).clientMessageIndex, first.clientMessageIndex + 2);
      const customer = assertEnvelope((await v2.op(chat, "send", { message: "from Cora", clientMessageId: "a-1" })).body);
      // The customer's a-1 is their own message, after the agent's three (a v2 index is an agent's index + 1).
      assert.equal(customer.clientMessageIndex, first.clientMessageIndex + 4);
      assert.deepEqual(await messages(setup.server, chat.chatId), ["from Vera", "from Vera", "from Vera", "from Cora"]);
    });
  });

  it("refuses a malformed id with the GWS 400 on both APIs; sends at once store one message", async () => {
    await withChatAgent(async (setup) => {
      const { api, agent } = setup;
      const chat = await accepted(setup);
      for (const path of [`/me/interactions/${chat.chatId}`, `/me/chats/${chat.chatId}`]) {
        for (const bad of ["has space", TOO_LONG, 7]) {
          const reply = await api.request("POST", path, agent.headers, { operationName: "SendMessage", text: "x", clientMessageId: bad });
          assert.equal(reply.status, 400, reply.text);
          assert.deepEqual([reply.body.status, reply.body.statusCode], ["error", 1]);
          assert.match(reply.body.errorDescription, /clientMessageId/);
        }
      }
      const replies = await Promise.all(
        Array.from({ length: 6 }, () => api.operate(agent, chat.chatId, { operationName: "SendMessage", text: "once", clientMessageId: "burst" })),
      );
      assert.equal(new Set(replies.map((r) => `${r.status} ${r.body.clientMessageIndex}`)).size, 1, replies.map((r) => r.text).join("\n"));
      assert.deepEqual(await messages(setup.server, chat.chatId), ["once"]);
    });
  });
});

const pgUrl = process.env.TEST_DATABASE_URL ?? "";

describeWith(
  "on PostgreSQL, two nodes: the same send at once on both stores one message",
  pgUrl === "" ? "TEST_DATABASE_URL is not set: PostgreSQL idempotent sends not run" : false,
  () => {
    const schema = `parley_idem_${randomBytes(6).toString("hex")}`;
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      a = await startServer({ env: { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema } });
      b = await startServer({ env: { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema } });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await dropSchema(pgUrl, schema);
    });

    it("Chat API v1 send and v2 send", async () => {
      const v1 = chatApi(a.url);
      const id = await v1.create();
      assert.equal((await v1.call(id, "ixn/chat", { firstName: "Vasya" })).status, 200);
      const v1Replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => chatApi((i % 2 === 0 ? a : b).url).call(id, "ixn/chat/send", { message: "once", clientMessageId: "pg-1" })),
      );
      assert.deepEqual(new Set(v1Replies.map((r) => `${r.status} ${r.body.clientMessagePosition}`)), new Set(["200 1"]));
      assert.deepEqual(await messages(a, (await storedChat(a, id)).interactionId), ["once"]);

      const chat = await chatV2Api(a.url).start();
      const v2Replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => chatV2Api((i % 2 === 0 ? a : b).url).op(chat, "send", { message: "once", clientMessageId: "pg-2" })),
      );
      assert.deepEqual(new Set(v2Replies.map((r) => `${r.status} ${r.body.clientMessageIndex}`)), new Set(["200 2"]));
      assert.deepEqual(await messages(a, chat.chatId), ["once"]);
    });
  },
);

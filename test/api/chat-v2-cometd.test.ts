/**
 * Chat API v2 over CometD (issue 19, spec reference/chat-v2.md §6): Genesys Widgets' CometD
 * played by the official client (WebSocket first, `addListener` and no subscribe, the result of
 * requestChat as the next data message, requestNotifications after a reload), and the iOS
 * library played by raw WebSocket frames (one object per frame, no ids, a connect after each
 * reply). No gms_user anywhere: the chat's secureKey is the credential.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckExtension, CometD, type Message } from "cometd";
import WebSocket from "ws";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { assertEnvelope, chatV2Api, type Envelope } from "../support/chat-v2.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { eventually, startServer, type TestServer } from "../support/server.ts";

const CHANNEL = "/service/chatV2/customer-support";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let agent: TestAgent;
let desk: TestClient;

before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50" } });
  api = agentApi(server.url);
  agent = await api.createAgent("vic", { firstName: "Vic" });
  desk = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  await desk.handshake();
  await desk.subscribe("/v2/me/interactions");
  await api.ready(agent, "chat");
});
after(async () => {
  await desk.disconnect();
  await server.close();
});

/** Accepts the chat for the agent and has them say `text`. */
async function agentAnswers(chatId: string, text: string): Promise<void> {
  await api.sees(agent, chatId, "Invited");
  assert.equal((await api.operate(agent, chatId, { operationName: "Accept" })).status, 200);
  assert.equal((await api.operate(agent, chatId, { operationName: "SendMessage", text })).status, 200);
}

/** The official client configured as Widgets configures it: every transport, WebSocket first, no headers. */
function widgetsCometd(): { cometd: CometD; data: Envelope[]; next(count: number, ms?: number): Promise<Envelope[]> } {
  const cometd = new CometD();
  cometd.registerExtension("ack", new AckExtension());
  cometd.configure({ url: `${server.url}/genesys/cometd`, logLevel: "warn" });
  const data: Envelope[] = [];
  const waiters = new Set<() => void>();
  // Widgets only adds a listener: results come without a subscription.
  cometd.addListener(CHANNEL, (message: Message) => {
    data.push(assertEnvelope(message.data, false));
    for (const wake of waiters) wake();
  });
  return {
    cometd,
    data,
    next(count, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (data.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(data);
        };
        const timer = setTimeout(() => reject(new Error(`${data.length} of ${count} data messages after ${ms} ms`)), ms);
        waiters.add(check);
        check();
      });
    },
  };
}

function handshake(cometd: CometD): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no successful handshake within 10 s")), 10_000);
    cometd.handshake((m: Message) => {
      if (m.successful !== true) return;
      clearTimeout(timer);
      resolve(m);
    });
  });
}

function publish(cometd: CometD, data: object): Promise<Message> {
  return new Promise((resolve) => cometd.publish(CHANNEL, data, resolve));
}

function disconnect(cometd: CometD): Promise<void> {
  return new Promise((resolve) => (cometd.isDisconnected() ? resolve() : cometd.disconnect(() => resolve())));
}

describe("Genesys Widgets' CometD (the official client)", () => {
  it("requestChat's result is the next data message; pushes follow without a subscription; a reload restores with requestNotifications", async () => {
    const first = widgetsCometd();
    try {
      await handshake(first.cometd);
      const ack = await publish(first.cometd, {
        operation: "requestChat",
        chatId: "",
        alias: "",
        secureKey: "",
        userId: "",
        nickname: "Widget User",
        userData: { TimeZone: -60 },
      });
      assert.equal(ack.successful, true);
      const [started] = await first.next(1);
      assert.equal(started?.statusCode, 0);
      assert.equal(started?.chatEnded, false);
      const chat = assertEnvelope(started);
      assert.deepEqual(
        chat.messages.map((m) => [m.index, m.type, m.from.type]),
        [[1, "ParticipantJoined", "Client"]],
      );
      assert.equal((await server.app.store.agentInteractions.get(chat.chatId))?.properties.TimeZone, "-60", "userData values are strings");
      await publish(first.cometd, {
        operation: "sendMessage",
        chatId: chat.chatId,
        alias: chat.alias,
        secureKey: chat.secureKey,
        userId: chat.userId,
        message: "hi",
        messageType: "text",
      });
      await agentAnswers(chat.chatId, "Hello from Vic");
      const seen = await first.next(4);
      assert.deepEqual(
        seen.slice(1).map((e) => e.messages.map((m) => `${m.index} ${m.type} ${m.from.type} ${m.text ?? ""}`.trim())),
        [["2 Message Client hi"], ["3 ParticipantJoined Agent"], ["4 Message Agent Hello from Vic"]],
      );
      assert.ok(
        seen.every((e) => e.chatEnded === false),
        "every push says chatEnded",
      );

      // The page reloads: a new client, its keys from a cookie, asks from the next index.
      await disconnect(first.cometd);
      const reloaded = widgetsCometd();
      try {
        await handshake(reloaded.cometd);
        await publish(reloaded.cometd, {
          operation: "requestNotifications",
          secureKey: chat.secureKey,
          alias: chat.alias,
          userId: chat.userId,
          chatId: chat.chatId,
          transcriptPosition: 3,
          message: "",
        });
        const [restored] = await reloaded.next(1);
        assert.equal(restored?.chatEnded, false);
        assert.deepEqual(
          restored?.messages.map((m) => m.index),
          [3, 4],
        );
        assert.equal((await api.operate(agent, chat.chatId, { operationName: "SendMessage", text: "still here" })).status, 200);
        const [, pushed] = await reloaded.next(2);
        assert.equal(pushed?.messages[0]?.text, "still here");
        // Widgets' endChat: disconnect, then /meta/disconnect at once.
        await publish(reloaded.cometd, { operation: "disconnect", secureKey: chat.secureKey, chatId: chat.chatId, alias: chat.alias, userId: chat.userId });
        await reloaded.next(3);
        assert.ok(
          reloaded.data.some((e) => e.chatEnded === true),
          "the end is pushed with chatEnded true",
        );
        await eventually(async () => ((await server.app.store.agentInteractions.get(chat.chatId))?.state === "Completed" ? true : undefined));
        // A message to the ended chat is answered, as data, with chatEnded true.
        const before = reloaded.data.length;
        await publish(reloaded.cometd, { operation: "sendMessage", secureKey: chat.secureKey, message: "hello?" });
        const refused = (await reloaded.next(before + 1)).at(-1);
        assert.deepEqual([refused?.statusCode, refused?.chatEnded], [2, true]);
      } finally {
        await disconnect(reloaded.cometd);
      }
    } finally {
      await disconnect(first.cometd);
    }
  });

  it("answers a bad secureKey and an unknown operation with data messages carrying statusCode 2 and errors", async () => {
    const client = widgetsCometd();
    try {
      await handshake(client.cometd);
      const ack = await publish(client.cometd, { operation: "sendMessage", secureKey: "not-a-key", message: "x" });
      assert.equal(ack.successful, true, "Widgets ignores publish acks: the error is data");
      const [refused] = await client.next(1);
      assert.equal(refused?.statusCode, 2);
      assert.equal(refused?.errors?.[0]?.code, 404);
      await publish(client.cometd, { operation: "dance" });
      const [, unknown] = await client.next(2);
      assert.equal(unknown?.statusCode, 2);
      assert.equal(unknown?.errors?.[0]?.code, 400);
    } finally {
      await disconnect(client.cometd);
    }
  });
});

describe("v1 and v2 customers at once", () => {
  it("a v2 REST customer and a v1 polling customer chat with the same agent", async () => {
    const v2 = chatV2Api(server.url);
    const modern = await v2.start();
    await agentAnswers(modern.chatId, "hello v2");
    const v1Service = (await fetch(`${server.url}/genesys/1/service/request-chat`, { method: "POST", headers: { gms_user: "old-app" } }).then((r) =>
      r.json(),
    )) as { _id: string };
    const v1Chat = await fetch(`${server.url}/genesys/1/service/${v1Service._id}/ixn/chat`, {
      method: "POST",
      headers: { gms_user: "old-app", "content-type": "application/x-www-form-urlencoded" },
      body: "firstName=Old&lastName=App",
    }).then((r) => r.json() as Promise<{ chatSessionId: string }>);
    await agentAnswers(v1Chat.chatSessionId, "hello v1");
    const polled = assertEnvelope((await v2.op(modern, "refresh", { transcriptPosition: "2" })).body);
    assert.deepEqual(
      polled.messages.map((m) => m.text ?? m.type),
      ["ParticipantJoined", "hello v2"],
    );
    const v1Transcript = await fetch(`${server.url}/genesys/1/service/${v1Service._id}/ixn/chat/refresh`, {
      method: "POST",
      headers: { gms_user: "old-app", "content-type": "application/x-www-form-urlencoded" },
      body: "transcriptPosition=1",
    }).then((r) => r.json() as Promise<{ transcriptToShow: string[][] }>);
    assert.deepEqual(
      v1Transcript.transcriptToShow.map((e) => e[2]),
      ["has joined the session", "hello v1"],
    );
    const mine = await api.mine(agent);
    assert.ok(mine.some((ix) => ix.id === modern.chatId) && mine.some((ix) => ix.id === v1Chat.chatSessionId), "the agent holds both");
  });
});

/** The iOS library's client: one JSON object per frame, no ids, a new connect after each connect reply. */
async function iosClient() {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/genesys/cometd`);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const received: Record<string, any>[] = [];
  const frames: unknown[] = [];
  const waiters = new Set<() => void>();
  let clientId = "";
  ws.on("message", (raw: Buffer) => {
    const batch = JSON.parse(raw.toString()) as Record<string, any>[];
    frames.push(batch);
    for (const message of batch) {
      received.push(message);
      if (message.channel === "/meta/connect" && message.successful === true && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ channel: "/meta/connect", clientId, connectionType: "websocket", advice: { timeout: 10000 } }));
      }
    }
    for (const wake of waiters) wake();
  });
  const next = (match: (m: Record<string, any>) => boolean, ms = 5000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const check = () => {
        const found = received.find(match);
        if (found === undefined) return;
        received.splice(received.indexOf(found), 1);
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => reject(new Error(`no matching message within ${ms} ms`)), ms);
      waiters.add(check);
      check();
    });
  const send = (message: object) => ws.send(JSON.stringify(message));
  send({ channel: "/meta/handshake", version: "1.0", minimumVersion: "1.0beta", supportedConnectionTypes: ["websocket", "iframe"] });
  const hs = await next((m) => m.channel === "/meta/handshake");
  assert.equal(hs.successful, true);
  clientId = hs.clientId;
  send({ channel: "/meta/subscribe", clientId, subscription: CHANNEL });
  const sub = await next((m) => m.channel === "/meta/subscribe");
  assert.deepEqual([sub.successful, sub.subscription], [true, CHANNEL], "iOS waits for a subscribe reply naming the channel");
  send({ channel: "/meta/connect", clientId, connectionType: "websocket", advice: { timeout: 10000 } });
  await next((m) => m.channel === "/meta/connect");
  const data = (match: (e: Envelope) => boolean = () => true) => next((m) => m.channel === CHANNEL && m.data !== undefined && match(m.data as Envelope));
  return { ws, clientId: () => clientId, send, next, data, frames };
}

describe("the iOS library's CometD (raw WebSocket frames)", () => {
  it("chats with single-object frames and no ids; acks carry no data; /meta/disconnect with a position leaves the chat running", async () => {
    const ios = await iosClient();
    try {
      ios.send({
        channel: CHANNEL,
        clientId: ios.clientId(),
        data: { operation: "requestChat", nickname: "iPhone User", userData: { push_notification_deviceid: "tok", push_notification_type: "fcm" } },
      });
      const ack = await ios.next((m) => m.channel === CHANNEL && m.successful !== undefined);
      assert.deepEqual(ack, { channel: CHANNEL, successful: true }, "an ack without id and without data");
      const started = assertEnvelope((await ios.data()).data);
      assert.equal(started.chatEnded, false);
      ios.send({
        channel: CHANNEL,
        clientId: ios.clientId(),
        data: { operation: "sendMessage", secureKey: started.secureKey, userId: started.userId, alias: started.alias, message: "from the phone" },
      });
      const own = assertEnvelope((await ios.data((e) => e.messages?.[0]?.type === "Message")).data);
      assert.equal(own.messages[0]?.text, "from the phone");
      assert.equal(typeof own.messages[0]?.utcTime, "number");
      // Backgrounded: /meta/disconnect with ext.transcriptPosition (a string) does not end the chat.
      ios.send({ channel: "/meta/disconnect", clientId: ios.clientId(), ext: { transcriptPosition: "3" } });
      await ios.next((m) => m.channel === "/meta/disconnect");
      const stored = await server.app.store.chats.byInteraction(started.chatId);
      assert.equal(stored?.chat?.ended, false);
      assert.notEqual(stored?.chat?.awaySince, null, "the customer is marked away");
      // Back from the background: a new client asks from a position and goes on.
      const back = await iosClient();
      try {
        back.send({
          channel: CHANNEL,
          clientId: back.clientId(),
          data: { operation: "requestNotifications", secureKey: started.secureKey, userId: started.userId, alias: started.alias, transcriptPosition: 2 },
        });
        const restored = assertEnvelope((await back.data()).data);
        assert.equal(restored.chatEnded, false);
        assert.equal(restored.messages[0]?.index, 2);
        assert.equal(restored.messages[0]?.text, "from the phone");
      } finally {
        back.ws.close();
      }
    } finally {
      ios.ws.close();
    }
  });

  it("a client that never used a chat's secureKey gets none of its pushes", async () => {
    const owner = await iosClient();
    const stranger = await iosClient();
    try {
      owner.send({ channel: CHANNEL, clientId: owner.clientId(), data: { operation: "requestChat", nickname: "Owner" } });
      const started = assertEnvelope((await owner.data()).data);
      owner.send({ channel: CHANNEL, clientId: owner.clientId(), data: { operation: "sendMessage", secureKey: started.secureKey, message: "private" } });
      await owner.data((e) => e.messages?.[0]?.text === "private");
      // The stranger publishes something of its own and hears only its own answer.
      stranger.send({ channel: CHANNEL, clientId: stranger.clientId(), data: { operation: "refresh", secureKey: "guess" } });
      const answer = await stranger.data();
      assert.equal(answer.data.statusCode, 2);
      assert.equal(JSON.stringify(stranger.frames).includes("private"), false);
    } finally {
      owner.ws.close();
      stranger.ws.close();
    }
  });
});

/**
 * What happens to a chat over time, on a clock the test moves: a customer who vanished is
 * ended and the agent told; an app in the background gets agent messages as pushes (through an
 * HTTP callback, a real server here); the agent desktop's internal-poke; a service past its
 * time to live is removed; the config file's services and queues.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi, basic, type TestAgent } from "../support/agents.ts";
import { chatApi, entries, postForm, storedChat } from "../support/chat.ts";
import { cometdClient } from "../support/cometd.ts";
import { assertGmsError, eventually, get, manualClock, present, startServer, type TestServer } from "../support/server.ts";

/** A push gateway: collects what parley POSTs to it. */
async function callbackServer() {
  const received: { device: { notificationId: string; os: string | null } | null; gmsUser: string | null; notification: Record<string, unknown> }[] = [];
  const http = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/push`, received, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}

const clock = manualClock(Date.now());
let server: TestServer;
let gateway: Awaited<ReturnType<typeof callbackServer>>;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;
let agent: TestAgent;
let desk: ReturnType<typeof cometdClient>;

before(async () => {
  gateway = await callbackServer();
  const dir = mkdtempSync(join(tmpdir(), "parley-config-"));
  const configFile = join(dir, "parley.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      queues: [{ name: "mobile", skills: [] }],
      chatServices: [
        {
          name: "mobile-chat",
          kind: "basic",
          queue: "mobile",
          ttlSeconds: 60,
          push: { provider: "httpcb", url: gateway.url, backgroundDelaySeconds: 30, pokeMessage: "Come back!" },
        },
      ],
    }),
  );
  server = await startServer({
    now: clock.now,
    // The clock jumps up to 100 s at a time: CometD clients must outlive a jump between two polls
    // (else the agent's desktop is forgotten, and the agent made NotReady, under a loaded run).
    env: {
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ROUTING_SWEEP_MS: "50",
      PARLEY_CONFIG: configFile,
      CHAT_CUSTOMER_TIMEOUT_MS: "120000",
      BAYEUX_MAX_INTERVAL_MS: "600000",
    },
  });
  api = agentApi(server.url);
  chat = chatApi(server.url);
  agent = await api.createAgent("hal", { firstName: "Hal" });
  // The agent's desktop stays connected for the whole file (its last client leaving would make them NotReady).
  desk = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  await desk.handshake();
  await desk.subscribe("/v2/me/interactions");
  await api.ready(agent, "chat");
});
after(async () => {
  await desk.disconnect();
  await server.close();
  await gateway.close();
});

/** A chat on `service`, accepted by the agent; returns the service and interaction ids. */
async function acceptedChat(service = "request-chat", form: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const id = await chat.create(service, form, headers);
  const start = await chat.call(id, "ixn/chat", {}, headers);
  assert.equal(start.status, 200, start.text);
  const ixId = (start.body.chatSessionId ?? (await storedChat(server, id)).interactionId) as string;
  await api.sees(agent, ixId, "Invited");
  await api.operate(agent, ixId, { operationName: "Accept" });
  return { id, ixId };
}

describe("a customer who vanished", () => {
  it("is ended after CHAT_CUSTOMER_TIMEOUT_MS without a request or a CometD client; the agent is told", async () => {
    const { id, ixId } = await acceptedChat();
    clock.advance(60_000);
    await chat.call(id, "ixn/chat/refresh");
    clock.advance(100_000);
    await server.app.housekeeping.sweep();
    assert.equal((await server.app.store.agentInteractions.get(ixId))?.state, "Accepted", "seen 100 s ago: still open");
    clock.advance(21_000);
    await server.app.housekeeping.sweep();
    await eventually(async () => desk.received.find((m) => m.data?.id === ixId && m.data.state === "Completed"), 5000, "the agent told");
    const refresh = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" });
    assert.equal(refresh.body.chatIxnState, "DISCONNECTED");
    assert.equal(entries(refresh).at(-1)?.[0], "Notice.Left");
    assert.equal((await get(`${server.cs}/interactions/${ixId}`)).status, 200);
  });

  it("a customer with a live CometD client is not silent", async () => {
    const customer = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "present" });
    await customer.handshake();
    try {
      const { ixId } = await acceptedChat("request-chat", {}, { gms_user: "present" });
      for (let i = 0; i < 6; i++) {
        clock.advance(50_000);
        await server.app.housekeeping.sweep();
      }
      assert.equal((await server.app.store.agentInteractions.get(ixId))?.state, "Accepted");
      await api.operate(agent, ixId, { operationName: "StopProcessing" });
    } finally {
      await customer.disconnect();
    }
  });
});

describe("push notifications", () => {
  it("an app in the background gets agent messages as pushes after the delay, through the HTTP callback", async () => {
    const customer = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "mobile-user" });
    await customer.handshake();
    const { id, ixId } = await acceptedChat("mobile-chat", { _device_notification_id: "device-token-1", _device_os: "android" }, { gms_user: "mobile-user" });
    assert.equal((await server.app.store.agentInteractions.get(ixId))?.queue, "mobile", "routed through the configured queue");
    const seen = (await chat.call(id, "ixn/chat/refresh", {}, { gms_user: "mobile-user" })).body.transcriptPosition as string;
    // Going to the background: the CometD disconnect carries the position the app has.
    await new Promise<void>((resolve) => customer.cometd.disconnect({ ext: { transcriptPosition: seen } }, () => resolve()));
    await eventually(async () => ((await storedChat(server, id)).awaySince !== null ? true : undefined), 5000, "away");
    const atAgent = await api.request("GET", "/me/interactions?fields=*", agent.headers);
    assert.equal(atAgent.status, 200);
    await api.operate(agent, ixId, { operationName: "SendMessage", text: "are you there?" });
    await server.app.housekeeping.sweep();
    assert.equal(gateway.received.length, 0, "not before the delay");
    clock.advance(31_000);
    await server.app.housekeeping.sweep();
    await eventually(async () => (gateway.received.length > 0 ? true : undefined), 5000, "the push");
    const push = present(gateway.received[0], "the push");
    assert.deepEqual(push.device, { notificationId: "device-token-1", os: "android" });
    assert.equal(push.gmsUser, "mobile-user");
    assert.deepEqual(push.notification.lastTranscript, [{ "Message.Text": "are you there?" }]);
    assert.equal(push.notification._action, "chat");
    await server.app.housekeeping.sweep();
    assert.equal(gateway.received.length, 1, "each message is pushed once");

    // The agent desktop pokes the customer through the URL in the attached data.
    const { properties } = present(await server.app.store.agentInteractions.get(ixId), "the interaction");
    const pokeUrl = `${server.url}${properties.poke_url as string}`;
    assertGmsError(await postForm(pokeUrl, {}), 401, "UnauthorizedException");
    const stranger = await api.createAgent("stranger");
    assertGmsError(await postForm(pokeUrl, {}, stranger.headers), 404, "NotFoundException");
    const poked = await postForm(pokeUrl, { poke_message: "Your order is ready" }, basic("hal"));
    assert.deepEqual([poked.status, poked.text], [200, "OK"]);
    await eventually(async () => (gateway.received.length === 2 ? true : undefined), 5000, "the poke");
    assert.equal(gateway.received[1]?.notification.message, "Your order is ready");
    assert.equal((await postForm(pokeUrl, {}, basic("hal"))).status, 200);
    await eventually(async () => (gateway.received.length === 3 ? true : undefined), 5000, "the default poke");
    assert.equal(gateway.received[2]?.notification.message, "Come back!");

    // Back in the foreground: a refresh ends the away state.
    await chat.call(id, "ixn/chat/refresh", {}, { gms_user: "mobile-user" });
    assert.equal((await storedChat(server, id)).awaySince, null);
    await chat.call(id, "ixn/chat/disconnect", {}, { gms_user: "mobile-user" });
  });

  it("internal-poke is 503 without a routed chat or a device", async () => {
    const id = await chat.create("mobile-chat");
    const url = `${chat.service}/${id}/internal-poke`;
    assertGmsError(await postForm(url, {}, basic("hal")), 503, "ServiceUnavailableException");
    const { id: noDevice } = await acceptedChat("mobile-chat");
    assertGmsError(await postForm(`${chat.service}/${noDevice}/internal-poke`, {}, basic("hal")), 503, "ServiceUnavailableException");
    await chat.call(noDevice, "ixn/chat/disconnect");
  });

  it("with the comet provider (the default) a poke reaches the customer's CometD clients", async () => {
    const customer = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "web-user" });
    await customer.handshake();
    await customer.subscribe("/_genesys");
    try {
      const { id } = await acceptedChat("request-chat", {}, { gms_user: "web-user" });
      assert.equal((await postForm(`${chat.service}/${id}/internal-poke`, { poke_message: "ping" }, basic("hal"))).status, 200);
      const push = await eventually(async () => customer.received.find((m) => m.data?.tag === `service.push.${id}`), 5000, "the poke");
      assert.equal(push.data.message.message, "ping");
      await chat.call(id, "ixn/chat/disconnect", {}, { gms_user: "web-user" });
    } finally {
      await customer.disconnect();
    }
  });
});

describe("time to live", () => {
  it("a service without a chat is removed after its TTL; one with an open chat is kept", async () => {
    const idle = await chat.create("mobile-chat", { note: "x" });
    const { id: busy } = await acceptedChat("mobile-chat");
    clock.advance(61_000);
    await server.app.housekeeping.sweep();
    assertGmsError(await chat.call(idle, "ixn/chat"), 404, "NotFoundException");
    assert.equal((await chat.call(busy, "ixn/chat/refresh")).status, 200);
    await chat.call(busy, "ixn/chat/disconnect");
    clock.advance(61_000);
    await server.app.housekeeping.sweep();
    assertGmsError(await chat.call(busy, "ixn/chat/refresh"), 404, "NotFoundException");
  });
});

/**
 * Push HTTP callbacks run on a bounded queue of their own: a push gateway that never answers
 * holds PUSH_CONCURRENCY requests and PUSH_QUEUE_SIZE waiting pushes, never the housekeeping
 * sweep (services past their TTL are still removed) nor an agent's internal-poke (503 when the
 * queue is full). Closing the app drops what waits and aborts what runs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi, basic, type TestAgent } from "../support/agents.ts";
import { chatApi, postForm, storedChat } from "../support/chat.ts";
import { cometdClient } from "../support/cometd.ts";
import { assertGmsError, eventually, manualClock, present, startServer, until, type LogLine, type TestServer } from "../support/server.ts";

interface HeldRequest {
  body: Promise<{ notification: { message: string; lastTranscript?: Record<string, string>[] } }>;
  closed: boolean;
  answer(): void;
}

/** A push gateway that takes each request and answers only when told to. */
async function stuckGateway() {
  const held: HeldRequest[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    const entry: HeldRequest = {
      body: new Promise((resolve) => {
        req.on("data", (chunk: Buffer) => (text += chunk.toString()));
        req.on("end", () => resolve(JSON.parse(text)));
      }),
      closed: false,
      answer: () => res.end("ok"),
    };
    res.on("close", () => {
      entry.closed = true;
    });
    held.push(entry);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/push`,
    held,
    close: () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const clock = manualClock(Date.now());
const logs: LogLine[] = [];
let server: TestServer;
let gateway: Awaited<ReturnType<typeof stuckGateway>>;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;
let agent: TestAgent;
let desk: ReturnType<typeof cometdClient>;

before(async () => {
  gateway = await stuckGateway();
  const configFile = join(mkdtempSync(join(tmpdir(), "parley-config-")), "parley.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      chatServices: [
        { name: "mobile-chat", kind: "basic", queue: "default", ttlSeconds: 60, push: { provider: "httpcb", url: gateway.url, backgroundDelaySeconds: 30 } },
      ],
    }),
  );
  server = await startServer({
    now: clock.now,
    logs: { level: "info", lines: logs },
    env: {
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PARLEY_CONFIG: configFile,
      PUSH_CONCURRENCY: "1",
      PUSH_QUEUE_SIZE: "1",
      ROUTING_SWEEP_MS: "50",
      BAYEUX_MAX_INTERVAL_MS: "600000",
    },
  });
  api = agentApi(server.url);
  chat = chatApi(server.url);
  agent = await api.createAgent("hal");
  desk = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  await desk.handshake();
  await desk.subscribe("/v2/me/interactions");
  await api.ready(agent, "chat");
});
after(async () => {
  // The test closes the app itself; closing twice is harmless.
  await server.close();
  await gateway.close();
});

/** A chat on mobile-chat with a device, accepted by the agent, whose app went to the background. */
async function backgroundedChat(gmsUser: string) {
  const headers = { gms_user: gmsUser };
  const customer = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser });
  await customer.handshake();
  const id = await chat.create("mobile-chat", { _device_notification_id: `device-${gmsUser}` }, headers);
  const ixId = (await chat.call(id, "ixn/chat", {}, headers)).body.chatSessionId as string;
  await api.sees(agent, ixId, "Invited");
  await api.operate(agent, ixId, { operationName: "Accept" });
  const seen = (await chat.call(id, "ixn/chat/refresh", {}, headers)).body.transcriptPosition as string;
  await new Promise<void>((resolve) => customer.cometd.disconnect({ ext: { transcriptPosition: seen } }, () => resolve()));
  await eventually(async () => ((await storedChat(server, id)).awaySince !== null ? true : undefined), 5000, "away");
  return { id, ixId };
}

/** The agent says `text`; resolves once a sweep has handed it to the push port (queued, running or dropped). */
async function agentSays(id: string, ixId: string, text: string): Promise<void> {
  await api.operate(agent, ixId, { operationName: "SendMessage", text });
  await server.app.housekeeping.sweep();
  await eventually(async () => {
    const current = await storedChat(server, id);
    return current.pushedPosition === current.nextPosition ? true : undefined;
  });
}

describe("a push gateway that never answers", () => {
  it("holds PUSH_CONCURRENCY requests and PUSH_QUEUE_SIZE pushes; housekeeping and internal-poke go on", async () => {
    const idle = await chat.create("mobile-chat");
    const { id, ixId } = await backgroundedChat("mobile-user");
    clock.advance(31_000);
    await agentSays(id, ixId, "first");
    await until(() => gateway.held.length === 1, 5000, "the first push at the gateway");
    const first = present(gateway.held[0], "the first push");
    // The sweep that handed it over is done while the gateway still holds it.
    await server.app.housekeeping.sweep();
    assert.equal(first.closed, false, "the sweep did not wait for the gateway");

    // Past the idle service's TTL: removed by a sweep while the push hangs.
    clock.advance(31_000);
    await server.app.housekeeping.sweep();
    assertGmsError(await chat.call(idle, "ixn/chat"), 404, "NotFoundException");
    assert.equal(first.closed, false, "still hanging");

    await agentSays(id, ixId, "second"); // waits: the one place in the line
    await agentSays(id, ixId, "third"); // dropped: the line is full
    assert.equal(gateway.held.length, 1, "one request at a time");
    assert.ok(
      logs.some((l) => l.level === 40 && /push notifications dropped/.test(l.msg)),
      "the drop is logged",
    );
    const pokeUrl = `${chat.service}/${id}/internal-poke`;
    const full = await postForm(pokeUrl, { poke_message: "come back" }, basic("hal"));
    assertGmsError(full, 503, "ServiceUnavailableException");
    assert.ok(Number(full.headers.get("retry-after")) > 0);

    // The gateway answers: the waiting push goes out, the dropped one never does.
    first.answer();
    await until(() => gateway.held.length === 2, 5000, "the waiting push");
    const second = present(gateway.held[1], "the second push");
    assert.deepEqual((await second.body).notification.lastTranscript, [{ "Message.Text": "second" }]);
    second.answer();
    await until(() => second.closed, 5000, "the second answered");
    const poked = await postForm(pokeUrl, { poke_message: "come back" }, basic("hal"));
    assert.equal(poked.status, 200, poked.text);
    await until(() => gateway.held.length === 3, 5000, "the poke");
    const poke = present(gateway.held[2], "the poke");
    assert.equal((await poke.body).notification.message, "come back");

    // Closing the app drops what waits and aborts what runs: it waits for neither the gateway
    // nor the callback timeout.
    assert.equal((await postForm(pokeUrl, { poke_message: "never sent" }, basic("hal"))).status, 200, "waits in line");
    await desk.disconnect();
    await server.close();
    await until(() => poke.closed, 5000, "the push under way aborted");
    assert.equal(gateway.held.length, 3, "the waiting one was dropped");
  });
});

/**
 * Agent state per channel: Ready / NotReady through /api/v2/me, notified on /v2/me/channels to
 * that agent only (the official CometD client, authenticated with Basic), and NotReady when the
 * agent's last CometD client is gone.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readFileConfig } from "../../src/config-file.ts";
import type { Message } from "cometd";
import { ADMIN, ADMIN_PASSWORD, basic } from "../support/agents.ts";
import { rawBayeux } from "../support/bayeux.ts";
import { cometdClient } from "../support/cometd.ts";
import { call, eventually, manualClock, startServer, until, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
});
after(() => server.close());

async function agent(base: string, userName: string): Promise<Record<string, string>> {
  const reply = await call("POST", `${base}/api/v2/users`, { userName, password: `${userName}-password` }, ADMIN);
  assert.equal(reply.body.statusCode, 0, reply.text);
  return basic(userName);
}

const states = async (base: string, headers: Record<string, string>) =>
  Object.fromEntries(
    (await call("GET", `${base}/api/v2/me/channels`, undefined, headers)).body.channels.map(
      (c: { channel: string; userState: { state: string; reason?: string } }) => [
        c.channel,
        c.userState.reason === undefined ? c.userState.state : `${c.userState.state}:${c.userState.reason}`,
      ],
    ),
  );

/** The config file's problems for `content`. */
function readFileConfigFrom(content: object, problems: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), "parley-states-"));
  try {
    writeFileSync(join(dir, "c.json"), JSON.stringify(content));
    readFileConfig(join(dir, "c.json"), problems);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("agent state", () => {
  it("starts NotReady on every channel; Ready and NotReady (with a reason) per channel or all at once", async () => {
    const headers = await agent(server.url, "stateful");
    assert.deepEqual(await states(server.url, headers), { chat: "NotReady", openmedia: "NotReady", email: "NotReady", sms: "NotReady" });
    const ready = await call("POST", `${server.url}/api/v2/me/channels/chat`, { operationName: "Ready" }, headers);
    assert.deepEqual(ready.body, { status: "ok", statusCode: 0 });
    await call("POST", `${server.url}/api/v2/me/channels/email`, { operationName: "NotReady", reason: "Lunch" }, headers);
    assert.deepEqual(await states(server.url, headers), { chat: "Ready", openmedia: "NotReady", email: "NotReady:Lunch", sms: "NotReady" });
    await call("POST", `${server.url}/api/v2/me`, { operationName: "Ready" }, headers);
    assert.deepEqual(await states(server.url, headers), { chat: "Ready", openmedia: "Ready", email: "Ready", sms: "Ready" });
    const me = await call("GET", `${server.url}/api/v2/me?subresources=*`, undefined, headers);
    assert.equal(me.body.user.channels.length, 4);
  });

  it("refuses an unknown operation or channel with statusCode 1, changing nothing", async () => {
    const headers = await agent(server.url, "careful");
    const badOperation = await call("POST", `${server.url}/api/v2/me/channels/chat`, { operationName: "Dance" }, headers);
    assert.deepEqual([badOperation.status, badOperation.body.statusCode], [400, 1]);
    const badChannel = await call("POST", `${server.url}/api/v2/me/channels/pigeon`, { operationName: "Ready" }, headers);
    assert.deepEqual([badChannel.status, badChannel.body.statusCode], [400, 1]);
    const missing = await call("POST", `${server.url}/api/v2/me/channels/chat`, {}, headers);
    assert.deepEqual([missing.status, missing.body.statusCode], [400, 1]);
    assert.equal((await states(server.url, headers)).chat, "NotReady");
  });

  it("lists the agent-state operations (GET /api/v2/settings/agent-states); a desktop sends one as operationName", async () => {
    const headers = await agent(server.url, "menu");
    const reply = await call("GET", `${server.url}/api/v2/settings/agent-states`, undefined, headers);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(reply.body.statusCode, 0);
    assert.deepEqual(reply.body.settings.slice(0, 3), [
      { operationName: "Ready", displayName: "Ready", state: "Ready" },
      { operationName: "NotReady", displayName: "Not Ready", state: "NotReady" },
      { operationName: "Break", displayName: "Break", state: "NotReady", reason: "Break" },
    ]);
    assert.ok(reply.body.settings.some((s: { operationName: string; reason?: string }) => s.operationName === "OutToLunch" && s.reason === "Lunch"));
    assert.equal((await call("POST", `${server.url}/api/v2/me/channels/chat`, { operationName: "OutToLunch" }, headers)).body.statusCode, 0);
    assert.equal((await states(server.url, headers)).chat, "NotReady:Lunch");
    await call("POST", `${server.url}/api/v2/me`, { operationName: "Break", reason: "Coffee" }, headers);
    assert.deepEqual(await states(server.url, headers), {
      chat: "NotReady:Coffee",
      openmedia: "NotReady:Coffee",
      email: "NotReady:Coffee",
      sms: "NotReady:Coffee",
    });
  });

  it("takes the agent states from the config file's agentStates, which replaces the default reasons", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-states-"));
    const file = join(dir, "parley.json");
    writeFileSync(file, JSON.stringify({ agentStates: [{ operationName: "Coaching", displayName: "In coaching", state: "NotReady", reason: "Coach" }] }));
    const configured = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, PARLEY_CONFIG: file } });
    try {
      const headers = await agent(configured.url, "coached");
      const reply = await call("GET", `${configured.url}/api/v2/settings/agent-states`, undefined, headers);
      assert.deepEqual(
        reply.body.settings.map((s: { operationName: string }) => s.operationName),
        ["Ready", "NotReady", "Coaching"],
      );
      assert.equal((await call("POST", `${configured.url}/api/v2/me/channels/sms`, { operationName: "Coaching" }, headers)).body.statusCode, 0);
      assert.equal((await states(configured.url, headers)).sms, "NotReady:Coach");
      const gone = await call("POST", `${configured.url}/api/v2/me/channels/sms`, { operationName: "Break" }, headers);
      assert.deepEqual([gone.status, gone.body.statusCode], [400, 1]);
    } finally {
      await configured.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const problems: string[] = [];
    readFileConfigFrom(
      {
        agentStates: [
          { operationName: "9lives", state: "Away" },
          { operationName: "Fine", state: "Ready", reason: "x" },
        ],
      },
      problems,
    );
    assert.deepEqual(
      problems.map((p) => p.replace(/^PARLEY_CONFIG /, "").replace(/:.*/, "")),
      ["agentStates[0].operationName", "agentStates[0].state", "agentStates[1].reason"],
    );
  });

  it("notifies the change on /v2/me/channels to that agent only (official client, Basic)", async () => {
    const headers = await agent(server.url, "listener");
    const other = await agent(server.url, "bystander");
    const url = `${server.url}/api/v2/notifications`;
    const mine = cometdClient(url, { transport: "long-polling", headers });
    const theirs = cometdClient(url, { transport: "long-polling", headers: other });
    try {
      assert.equal((await mine.handshake()).successful, true);
      assert.equal((await theirs.handshake()).successful, true);
      await mine.subscribe("/v2/me/channels");
      await theirs.subscribe("/v2/me/channels");
      await call("POST", `${server.url}/api/v2/me/channels/chat`, { operationName: "Ready" }, headers);
      const [message] = await mine.waitFor(1);
      const data = (message as Message).data as { messageType: string; channels: { channel: string; userState: { state: string } }[] };
      assert.equal(data.messageType, "ChannelStateChangeMessageV2");
      assert.equal(data.channels.find((c) => c.channel === "chat")?.userState.state, "Ready");
      await call("POST", `${server.url}/api/v2/me/channels/chat`, { operationName: "Ready" }, other);
      await theirs.waitFor(1);
      assert.equal(mine.received.length, 1, "the other agent's change did not reach this one");
    } finally {
      await Promise.all([mine.disconnect(), theirs.disconnect()]);
    }
  });
});

describe("presence", () => {
  it("makes an agent NotReady (Disconnected) when their last CometD client expires", async () => {
    const clock = manualClock(Date.now());
    const node = await startServer({ now: clock.now, env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, BAYEUX_MAX_INTERVAL_MS: "10000" } });
    try {
      const headers = await agent(node.url, "leaver");
      await call("POST", `${node.url}/api/v2/me/channels/chat`, { operationName: "Ready" }, headers);
      const bx = rawBayeux(`${node.url}/api/v2/notifications`);
      const first = await bx.post([{ channel: "/meta/handshake", version: "1.0" }], headers);
      const second = await bx.post([{ channel: "/meta/handshake", version: "1.0" }], headers);
      const ids = [first.body[0].clientId, second.body[0].clientId];
      await bx.post([{ channel: "/meta/disconnect", clientId: ids[0] }], headers);
      assert.equal((await states(node.url, headers)).chat, "Ready", "one client is still there");
      clock.advance(11_000);
      await until(() => !node.app.bayeux.sessions.has(ids[1]), 5000, "the last client to expire");
      await eventually(async () => ((await states(node.url, headers)).chat === "NotReady:Disconnected" ? true : undefined), 5000, "NotReady");
    } finally {
      await node.close();
    }
  });
});

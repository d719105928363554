/**
 * What GWS desktops call first (issue 18): the server's version, the caller with its settings,
 * and StartContactCenterSession, accepted again after EndContactCenterSession. Every answer is
 * JSON with statusCode 0, which GWS client libraries insist on.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { startServer, type TestServer } from "../support/server.ts";

const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

describe("GWS calls a desktop makes at start", () => {
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("GET /api/v2/diagnostics/version: statusCode 0 and parley's version, as JSON", async () => {
    const agent = await api.createAgent("diag");
    const reply = await api.request("GET", "/diagnostics/version", agent.headers);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(reply.body.statusCode, 0);
    assert.equal(reply.body.version, VERSION);
    assert.equal((await fetch(`${server.url}/api/v2/diagnostics/version`)).status, 401, "authenticated like every agent API route");
  });

  it("GET /api/v2/me?subresources=* includes settings (an object) beside the channels", async () => {
    const agent = await api.createAgent("settings");
    const reply = await api.request("GET", "/me?subresources=*", agent.headers);
    assert.deepEqual(reply.body.user.settings, {});
    assert.ok(Array.isArray(reply.body.user.channels));
    assert.equal((await api.request("GET", "/me", agent.headers)).body.user.settings, undefined, "only with subresources");
  });

  it("StartContactCenterSession is accepted with a desktop's channels, again after EndContactCenterSession, and changes no state", async () => {
    const agent = await api.createAgent("session");
    const start = { operationName: "StartContactCenterSession", channels: ["voice", "chat", "email"] };
    assert.equal((await api.request("POST", "/me", agent.headers, start)).body.statusCode, 0);
    await api.ready(agent, "chat");
    assert.equal((await api.request("POST", "/me", agent.headers, { operationName: "StartContactCenterSession" })).body.statusCode, 0);
    const chat = async () =>
      ((await api.request("GET", "/me/channels", agent.headers)).body.channels as { channel: string; userState: { state: string } }[]).find(
        (c) => c.channel === "chat",
      )?.userState.state;
    assert.equal(await chat(), "Ready", "starting again changes nothing");
    assert.equal((await api.request("POST", "/me", agent.headers, { operationName: "EndContactCenterSession" })).body.statusCode, 0);
    assert.equal(await chat(), "NotReady");
    assert.equal((await api.request("POST", "/me", agent.headers, start)).body.statusCode, 0, "and may start again");
  });
});

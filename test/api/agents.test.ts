/**
 * GET /api/v2/agents: every enabled user with their state per channel, for anyone authenticated
 * (transfer and conference targets); supervisors and admins also see capacity, load and the
 * interactions each agent holds. Field names are an interface the pages and others rely on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let ada: TestAgent;
let bob: TestAgent;
let sue: TestAgent;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  api = agentApi(server.url);
  ada = await api.createAgent("ada", { firstName: "Ada", lastName: "Lovelace", capacity: { openmedia: 2 } });
  bob = await api.createAgent("bob", { firstName: "Bob", lastName: "Moses" });
  sue = await api.createAgent("sue", { firstName: "Sue" }, ["ROLE_SUPERVISOR"]);
  const off = await api.createAgent("off");
  assert.equal((await api.request("PUT", `/users/${off.id}`, ADMIN, { enabled: false })).status, 200);
});
after(() => server.close());

const agentsAs = async (who: TestAgent | { headers: Record<string, string> }) => {
  const reply = await api.request("GET", "/agents", who.headers);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.body.statusCode, 0);
  return reply.body.agents as Array<Record<string, any>>;
};

describe("GET /api/v2/agents", () => {
  it("shows an agent their colleagues' names and state per channel, not their work", async () => {
    await api.request("POST", "/me/channels/chat", bob.headers, { operationName: "NotReady", reason: "Lunch" });
    await api.ready(bob, "openmedia");
    const agents = await agentsAs(ada);
    const names = agents.map((a) => a.userName).sort();
    assert.deepEqual(names, ["ada", "admin", "bob", "sue"], "enabled users only: off is disabled");
    const b = agents.find((a) => a.userName === "bob");
    assert.deepEqual(Object.keys(b ?? {}).sort(), ["channels", "firstName", "id", "lastName", "roles", "userName"]);
    assert.equal(b?.id, bob.id);
    assert.equal(b?.firstName, "Bob");
    assert.equal(b?.lastName, "Moses");
    assert.deepEqual(b?.roles, ["ROLE_AGENT"]);
    const state = (channel: string) => b?.channels.find((c: any) => c.channel === channel)?.userState;
    assert.deepEqual(state("chat"), { id: "NotReady", state: "NotReady", displayName: "Not Ready", reason: "Lunch" });
    assert.equal(state("openmedia")?.state, "Ready");
    assert.equal(state("sms")?.state, "NotReady", "a channel never set is NotReady");
    assert.equal(b?.channels.length, 4);
  });

  it("shows supervisors and admins each agent's capacity, load and the interactions they hold", async () => {
    await api.ready(ada, "openmedia");
    await api.request("POST", "/me/channels/openmedia", bob.headers, { operationName: "NotReady" });
    const id = await api.submit({ subject: "refund" });
    await api.sees(ada, id, "Invited");
    for (const viewer of [sue, { headers: ADMIN }]) {
      const a = (await agentsAs(viewer)).find((x) => x.userName === "ada");
      assert.deepEqual(a?.capacity, { chat: 3, openmedia: 2, email: 3, sms: 3 });
      assert.equal(a?.load.openmedia, 1);
      assert.equal(a?.load.chat, 0);
      assert.deepEqual(a?.interactions, [{ id, mediaType: "openmedia", state: "Invited", queue: "default" }]);
    }
    assert.equal((await api.operate(ada, id, { operationName: "Accept" })).status, 200);
    const accepted = (await agentsAs(sue)).find((x) => x.userName === "ada");
    assert.equal(accepted?.interactions[0]?.state, "Accepted");
  });

  it("answers 401 without credentials", async () => {
    const reply = await api.request("GET", "/agents", {});
    assert.equal(reply.status, 401);
    assert.equal(reply.body.statusCode, 20);
  });
});

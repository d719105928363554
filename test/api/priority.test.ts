/**
 * Priority and overflow (issue 21, item 3), black box: the app on port 0 with a clock the test
 * moves. Higher priority is offered first, then the longest waiting; supervisors and admins set
 * a priority, agents may not; bad priorities are 400. A queue's overflow steps, reached by moving
 * the clock, let a lower-skilled agent and another queue's agent have the work and raise its
 * priority, each step visible in the interaction's attached data and the supervisor's queue view.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { MemoryHub } from "../../src/bus/memory.ts";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { manualClock, startServer, type Reply, type TestServer } from "../support/server.ts";
import { describeWith, dropSchema } from "../support/suites.ts";

const CONFIG = {
  queues: [
    { name: "support", skills: [{ name: "support", level: 3 }] },
    { name: "raising", skills: [{ name: "nobody-has-it", level: 1 }], overflow: [{ afterSeconds: 30, raisePriorityBy: 10 }] },
    {
      name: "sales",
      skills: [{ name: "sales", level: 5 }],
      overflow: [
        { afterSeconds: 30, lowerSkillLevelBy: 2 },
        { afterSeconds: 60, addQueues: ["support"], raisePriorityBy: 10 },
      ],
    },
  ],
};

let server: TestServer;
let api: ReturnType<typeof agentApi>;
const clock = manualClock();
const configFile = join(mkdtempSync(join(tmpdir(), "parley-priority-")), "parley.json");
writeFileSync(configFile, JSON.stringify(CONFIG));
// Offers never expire here: the clock moves by minutes.
const ENV = { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, PARLEY_CONFIG: configFile, ROUTING_OFFER_TIMEOUT_MS: "3600000" };
before(async () => {
  server = await startServer({ now: clock.now, env: ENV });
  api = agentApi(server.url);
});
after(() => server.close());

const interaction = async (id: string) => (await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction;
const submit = async (body: object): Promise<string> => {
  const reply = await api.request("POST", "/interactions", ADMIN, { mediaType: "openmedia", ...body });
  assert.equal(reply.body.statusCode, 0, reply.text);
  return reply.body.id;
};
/** What the agent has been offered, after a routing pass. */
const offeredTo = async (agent: TestAgent): Promise<string[]> => {
  await server.app.router.settle();
  return (await api.mine(agent)).filter((ix) => ix.state === "Invited").map((ix) => ix.id);
};
/** A refusal in GWS's error body: the HTTP status, its statusCode, a message naming `what`. */
function refused(reply: Reply, status: number, statusCode: number, what: RegExp): void {
  assert.equal(reply.status, status, reply.text);
  assert.deepEqual([reply.body.status, reply.body.statusCode], ["error", statusCode], reply.text);
  assert.match(reply.body.errorDescription, what);
}
const done = async (agent: TestAgent, id: string) => {
  assert.equal((await api.operate(agent, id, { operationName: "Accept" })).body.statusCode, 0);
  assert.equal((await api.operate(agent, id, { operationName: "StopProcessing" })).body.statusCode, 0);
};

describe("priority", () => {
  it("offers the higher priority first, then the longest waiting", async () => {
    await api.request("POST", "/queues", ADMIN, { name: "prio", skills: [{ name: "prio", level: 1 }] });
    const older = await submit({ queue: "prio" });
    clock.advance(1000);
    const urgent = await submit({ queue: "prio", priority: 500 });
    clock.advance(1000);
    const newer = await submit({ queue: "prio" });
    assert.equal((await interaction(urgent)).priority, 500);
    assert.equal((await interaction(older)).priority, 0, "0 unless given");
    const agent = await api.createAgent("prio-agent", { skills: [{ name: "prio", level: 1 }], capacity: { openmedia: 1 } });
    await api.ready(agent);
    assert.deepEqual(await offeredTo(agent), [urgent]);
    await done(agent, urgent);
    assert.deepEqual(await offeredTo(agent), [older]);
    await done(agent, older);
    assert.deepEqual(await offeredTo(agent), [newer]);
  });

  it("a supervisor raises a waiting interaction's priority and it goes first; an agent may not (403), even on their own", async () => {
    await api.request("POST", "/queues", ADMIN, { name: "raise", skills: [{ name: "raise", level: 1 }] });
    const supervisor = await api.createAgent("prio-supervisor", {}, ["ROLE_SUPERVISOR"]);
    const first = await submit({ queue: "raise" });
    clock.advance(1000);
    const second = await submit({ queue: "raise" });
    assert.equal((await api.request("PUT", `/interactions/${second}`, supervisor.headers, { priority: 100 })).body.statusCode, 0);
    assert.equal((await interaction(second)).priority, 100);
    const agent = await api.createAgent("raise-agent", { skills: [{ name: "raise", level: 1 }], capacity: { openmedia: 1 } });
    await api.ready(agent);
    assert.deepEqual(await offeredTo(agent), [second]);
    assert.equal((await api.operate(agent, second, { operationName: "Accept" })).body.statusCode, 0);

    const needsSupervisor = /ROLE_SUPERVISOR or ROLE_ADMIN/;
    refused(await api.request("PUT", `/interactions/${first}`, agent.headers, { priority: 900 }), 403, 5, needsSupervisor);
    const update = { operationName: "UpdateProperties", properties: { note: "mine first" }, priority: 900 };
    refused(await api.operate(agent, second, update), 403, 5, needsSupervisor);
    refused(await api.request("PUT", `/interactions/${second}`, agent.headers, { properties: { a: 1 }, priority: 900 }), 403, 5, needsSupervisor);
    assert.equal((await interaction(first)).priority, 0);
    assert.equal((await interaction(second)).priority, 100);
    assert.equal((await interaction(second)).userData.note, undefined, "nothing of a refused update is kept");
    // A `priority` key in the attached data is data: it routes nothing.
    assert.equal((await api.operate(agent, second, { operationName: "UpdateProperties", properties: { priority: 900 } })).body.statusCode, 0);
    assert.equal((await interaction(second)).priority, 100);
  });

  it("refuses a priority that is not an integer from 0 to 1000 (400), wherever it is sent", async () => {
    for (const priority of [-1, 1001, 2.5, "high", null]) {
      refused(await api.request("POST", "/interactions", ADMIN, { mediaType: "openmedia", priority }), 400, 1, /priority/);
    }
    // Waiting where nobody will take it (the other tests' agents stay Ready).
    await api.request("POST", "/queues", ADMIN, { name: "nobody", skills: [{ name: "nobody", level: 1 }] });
    const id = await submit({ queue: "nobody" });
    for (const priority of [-1, 1001, "high"]) {
      refused(await api.request("PUT", `/interactions/${id}`, ADMIN, { priority }), 400, 1, /priority/);
    }
    refused(await api.request("PUT", `/interactions/${id}`, ADMIN, {}), 400, 1, /properties or priority/);
    assert.equal((await interaction(id)).priority, 0);
  });
});

describe("overflow", () => {
  it("after 30 s a lower-skilled agent qualifies, after 60 s another queue's agent and a raised priority; each step visible", async () => {
    const junior = await api.createAgent("junior", { skills: [{ name: "sales", level: 3 }], capacity: { openmedia: 1 } });
    const helper = await api.createAgent("helper", { skills: [{ name: "support", level: 3 }], capacity: { openmedia: 1 } });
    const supervisor = await api.createAgent("sales-supervisor", {}, ["ROLE_SUPERVISOR"]);
    await api.ready(junior);
    await api.ready(helper);
    const a = await submit({ queue: "sales", properties: { topic: "a" } });
    clock.advance(1);
    const b = await submit({ queue: "sales", properties: { topic: "b" } });
    const salesView = async () => (await api.request("GET", "/queues", supervisor.headers)).body.queues.find((q: { name: string }) => q.name === "sales");

    clock.advance(29_000);
    assert.deepEqual([await offeredTo(junior), await offeredTo(helper)], [[], []], "before 30 s nobody qualifies");
    assert.deepEqual([(await salesView()).waiting, (await salesView()).overflowed], [2, 0]);

    clock.advance(1_000);
    assert.deepEqual(await offeredTo(junior), [a], "step 1: sales level 3 is enough");
    assert.equal((await api.mine(junior))[0]?.userData.routing_overflow_step, 1);
    const waiting = await interaction(b);
    assert.deepEqual([waiting.state, waiting.userData.routing_overflow_step, waiting.priority], ["Queued", 1, 0]);
    assert.deepEqual([(await salesView()).waiting, (await salesView()).overflowed], [1, 1]);
    assert.deepEqual(await offeredTo(helper), [], "not yet another queue's agent");

    clock.advance(30_000);
    assert.deepEqual(await offeredTo(helper), [b], "step 2: support's agents qualify");
    const offered = await interaction(b);
    assert.deepEqual([offered.userData.routing_overflow_step, offered.priority, offered.userData.topic], [2, 10, "b"]);
    assert.equal((await salesView()).overflowed, 0, "none waits any more");
  });
});

const url = process.env.TEST_DATABASE_URL ?? "";
const skip = url === "" ? "TEST_DATABASE_URL is not set: the two-node overflow test needs PostgreSQL" : false;
const schema = `parley_overflow_${randomBytes(6).toString("hex")}`;

describeWith("overflow on two nodes sharing PostgreSQL", skip, () => {
  after(() => dropSchema(url, schema));

  it("raises the priority once when both nodes' passes find the step reached", async () => {
    const shared = manualClock();
    const hub = new MemoryHub();
    const env = { ...ENV, DATABASE_URL: url, DATABASE_SCHEMA: schema };
    const nodes = [await startServer({ now: shared.now, env, memoryHub: hub }), await startServer({ now: shared.now, env, memoryHub: hub })];
    try {
      const [first] = nodes.map((n) => agentApi(n.url));
      const id = (await first?.request("POST", "/interactions", ADMIN, { mediaType: "openmedia", queue: "raising", priority: 5 }))?.body.id;
      shared.advance(30_000);
      for (let pass = 0; pass < 3; pass++) await Promise.all(nodes.map((n) => n.app.router.settle()));
      const stored = (await first?.request("GET", `/interactions/${id}`, ADMIN))?.body.interaction;
      assert.deepEqual([stored.priority, stored.userData.routing_overflow_step], [15, 1]);
    } finally {
      for (const node of nodes) await node.close();
    }
  });
});

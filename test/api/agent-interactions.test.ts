/**
 * The agent Interactions API end to end: open media submitted, routed to a Ready agent, worked
 * through every operation, notified over CometD (the official client), recorded as history;
 * every refusal with the GWS error and no change.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { cometdClient } from "../support/cometd.ts";
import { queueStanding } from "../../src/actions/routing.ts";
import { rawBayeux } from "../support/bayeux.ts";
import { get, manualClock, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ROUTING_OFFER_TIMEOUT_MS: "60000" } });
  api = agentApi(server.url);
});
after(() => server.close());

/** A queue of its own per test, so agents of other tests never get its work. */
let queues = 0;
async function isolatedQueue(skill: string): Promise<string> {
  const name = `q${++queues}`;
  assert.equal((await api.request("POST", "/queues", ADMIN, { name, skills: [{ name: skill, level: 1 }] })).body.statusCode, 0);
  return name;
}
async function skilledAgent(name: string, skill: string, extra: object = {}): Promise<TestAgent> {
  const agent = await api.createAgent(name, { skills: [{ name: skill, level: 5 }], ...extra });
  await api.ready(agent);
  return agent;
}

describe("an open-media interaction, from submission to history", () => {
  it("is offered, accepted, updated and completed once; then it is contact history", async () => {
    const queue = await isolatedQueue("lifecycle");
    const ann = await skilledAgent("ann", "lifecycle");
    const id = await api.submit({ subject: "refund", nested: { a: 1, b: 2 } }, queue);
    await api.sees(ann, id, "Invited");
    assert.equal((await api.operate(ann, id, { operationName: "Accept" })).body.statusCode, 0);
    await api.sees(ann, id, "Accepted");
    await api.operate(ann, id, { operationName: "UpdateProperties", properties: { nested: { b: 3 }, disposition: "ok" } });
    const [mine] = (await api.mine(ann)).filter((ix) => ix.id === id);
    assert.deepEqual(mine?.userData, { subject: "refund", nested: { a: 1, b: 3 }, disposition: "ok" });
    assert.equal((await api.operate(ann, id, { operationName: "StopProcessing" })).body.statusCode, 0);
    const again = await api.operate(ann, id, { operationName: "StopProcessing" });
    assert.deepEqual([again.status, again.body.statusCode], [409, 2]);
    const history = await get(`${server.cs}/interactions/${id}`);
    assert.equal(history.status, 200);
    assert.equal(history.body.subject, "refund");
  });

  it("Reject sends it to the next agent, not back to the same one at once", async () => {
    const queue = await isolatedQueue("reject");
    const first = await skilledAgent("rej1", "reject");
    const id = await api.submit({}, queue);
    await api.sees(first, id, "Invited");
    const second = await skilledAgent("rej2", "reject");
    assert.equal((await api.operate(first, id, { operationName: "Reject" })).body.statusCode, 0);
    await api.sees(second, id, "Invited");
    assert.equal(
      (await api.mine(first)).some((ix) => ix.id === id),
      false,
    );
  });

  it("respects capacity: a second interaction waits until the first is done", async () => {
    const queue = await isolatedQueue("capacity");
    const solo = await skilledAgent("solo", "capacity", { capacity: { openmedia: 1 } });
    const a = await api.submit({}, queue);
    const b = await api.submit({}, queue);
    await api.sees(solo, a, "Invited");
    await server.app.router.settle();
    assert.deepEqual(
      (await api.mine(solo)).map((ix) => ix.id),
      [a],
    );
    await api.operate(solo, a, { operationName: "Accept" });
    await api.operate(solo, a, { operationName: "StopProcessing" });
    await api.sees(solo, b, "Invited");
  });
});

describe("contact history", () => {
  it("links the history to the customer whose profile holds the interaction's email", async () => {
    const profile = await post(`${server.cs}/profiles`, { EmailAddress: "ada@example.com", LastName: "Lovelace" });
    const customerId = profile.body.customer_id;
    const queue = await isolatedQueue("history");
    const agent = await skilledAgent("historian", "history");
    const id = await api.submit({ email: "ada@example.com" }, queue);
    await api.sees(agent, id, "Invited");
    await api.operate(agent, id, { operationName: "Accept" });
    await api.operate(agent, id, { operationName: "StopProcessing" });
    const history = (await get(`${server.cs}/customers/${customerId}/interactions`)).body;
    assert.deepEqual(
      history.map((h: { interaction_id: string }) => h.interaction_id),
      [id],
    );
  });
});

describe("operations between agents", () => {
  it("Transfer: refused to an unknown agent; the target is invited and owns it once they accept", async () => {
    const queue = await isolatedQueue("transfer");
    const from = await skilledAgent("xfer1", "transfer");
    const to = await api.createAgent("xfer2");
    const id = await api.submit({}, queue);
    await api.sees(from, id, "Invited");
    await api.operate(from, id, { operationName: "Accept" });
    const unknown = await api.operate(from, id, { operationName: "Transfer", targetId: "nobody" });
    assert.deepEqual([unknown.status, unknown.body.statusCode], [404, 6]);
    await api.operate(from, id, { operationName: "Transfer", targetId: to.id });
    await api.sees(to, id, "Invited");
    await api.operate(to, id, { operationName: "Accept" });
    await api.sees(to, id, "Accepted");
    assert.equal(
      (await api.mine(from)).some((ix) => ix.id === id),
      false,
      "the first agent no longer has it",
    );
  });

  it("StartConference: InvitedConference, both work on it; LeaveConference leaves the owner with it", async () => {
    const queue = await isolatedQueue("conf");
    const owner = await skilledAgent("conf1", "conf");
    const guest = await api.createAgent("conf2");
    const id = await api.submit({}, queue);
    await api.sees(owner, id, "Invited");
    await api.operate(owner, id, { operationName: "Accept" });
    await api.operate(owner, id, { operationName: "StartConference", agentId: guest.id });
    await api.sees(guest, id, "InvitedConference");
    await api.operate(guest, id, { operationName: "Accept" });
    await api.sees(guest, id, "Accepted");
    assert.equal((await api.operate(guest, id, { operationName: "LeaveConference", agentId: guest.id })).body.statusCode, 0);
    assert.equal(
      (await api.mine(guest)).some((ix) => ix.id === id),
      false,
    );
    await api.sees(owner, id, "Accepted");
  });

  it("PlaceInQueue routes it to the new queue's agents; PlaceInWorkbin parks it, GetWorkbinContent lists it on CometD, Accept takes it back", async () => {
    const queueA = await isolatedQueue("placeA");
    const queueB = await isolatedQueue("placeB");
    const a = await skilledAgent("placeA", "placeA");
    const b = await skilledAgent("placeB", "placeB");
    const id = await api.submit({}, queueA);
    await api.sees(a, id, "Invited");
    await api.operate(a, id, { operationName: "Accept" });
    await api.operate(a, id, { operationName: "PlaceInQueue", queue: queueB });
    await api.sees(b, id, "Invited");
    await api.operate(b, id, { operationName: "Accept" });

    const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: b.headers });
    try {
      await client.handshake();
      await client.subscribe("/v2/me/interactions");
      await api.operate(b, id, { operationName: "PlaceInWorkbin", workbin: "later" });
      const [parkedNotice] = await client.waitFor(1);
      // Its owner is told it is parked (not that it left them), with the interaction in its workbin.
      const parked = (parkedNotice as Message).data as { notificationType: string; state: string; interaction: { state: string; workbin: string } };
      assert.deepEqual(
        [parked.notificationType, parked.state, parked.interaction.state, parked.interaction.workbin],
        ["StatusChange", "InWorkbin", "InWorkbin", "later"],
      );
      await api.operate(b, id, { operationName: "GetWorkbinContent", workbin: "later" });
      const messages = await client.waitFor(2);
      const content = (messages[1] as Message).data as { notificationType: string; interaction: { id: string; state: string; workbin: string } };
      assert.equal(content.notificationType, "WorkbinContent");
      assert.deepEqual([content.interaction.id, content.interaction.state, content.interaction.workbin], [id, "InWorkbin", "later"]);
      // Only its owner takes it back, with Accept.
      const stranger = await api.createAgent("place-stranger");
      assert.equal((await api.operate(stranger, id, { operationName: "Accept" })).status, 404);
      assert.equal((await api.operate(b, id, { operationName: "Accept" })).body.statusCode, 0);
      const back = (await client.waitFor(3))[2] as Message;
      assert.deepEqual([back.data.state, back.data.interaction.workbin], ["Accepted", null]);
      await api.sees(b, id, "Accepted");
    } finally {
      await client.disconnect();
    }
  });
});

describe("notifications", () => {
  it("a routed interaction arrives on /v2/me/interactions as InteractionStateMessage (official client)", async () => {
    const queue = await isolatedQueue("notify");
    const agent = await api.createAgent("notified", { skills: [{ name: "notify", level: 5 }] });
    const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
    try {
      await client.handshake();
      await client.subscribe("/v2/me/interactions");
      await api.ready(agent);
      const id = await api.submit({ topic: "x" }, queue);
      const [message] = await client.waitFor(1);
      const data = (message as Message).data as Record<string, any>;
      assert.deepEqual(
        [data.messageType, data.messageTypeName, data.notificationType, data.id, data.state],
        ["InteractionStateMessage", "InteractionStateMessage", "NewInteraction", id, "Invited"],
      );
      assert.deepEqual(data.interaction.userData, { topic: "x" });
      const listed = (await api.request("GET", "/me/interactions?fields=*", agent.headers)).body.interactions[0];
      assert.deepEqual(data.interaction, { ...listed, uri: data.interaction.uri }, "the same object as GET ?fields=*");
    } finally {
      await client.disconnect();
    }
  });
});

describe("access", () => {
  it("strangers get 404; supervisors read everything; agents cannot list all or submit", async () => {
    const queue = await isolatedQueue("access");
    const owner = await skilledAgent("acc1", "access");
    const stranger = await api.createAgent("acc2");
    const supervisor = await api.createAgent("acc3", {}, ["ROLE_SUPERVISOR"]);
    const id = await api.submit({}, queue);
    await api.sees(owner, id, "Invited");
    assert.equal((await api.request("GET", `/interactions/${id}`, owner.headers)).body.interaction.state, "Invited");
    for (const attempt of [
      api.request("GET", `/interactions/${id}`, stranger.headers),
      api.operate(stranger, id, { operationName: "Accept" }),
      api.request("PUT", `/interactions/${id}`, stranger.headers, { properties: { x: 1 } }),
      api.request("GET", "/interactions/does-not-exist", owner.headers),
    ]) {
      const reply = await attempt;
      assert.deepEqual([reply.status, reply.body.statusCode], [404, 6], reply.text);
    }
    assert.equal((await api.request("GET", `/interactions/${id}`, supervisor.headers)).status, 200);
    assert.ok((await api.request("GET", "/interactions", supervisor.headers)).body.uris.some((u: string) => u.endsWith(`/interactions/${id}`)));
    assert.deepEqual((await api.request("GET", "/interactions", owner.headers)).body.statusCode, 5);
    assert.deepEqual((await api.request("POST", "/interactions", owner.headers, { mediaType: "openmedia" })).body.statusCode, 5);
    assert.deepEqual((await api.request("POST", "/interactions", ADMIN, { mediaType: "pigeon" })).body.statusCode, 1);
    assert.deepEqual((await api.request("POST", "/interactions", ADMIN, { mediaType: "openmedia", queue: "none" })).body.statusCode, 1);
  });
});

describe("queues", () => {
  it("shows waiting count, longest wait and agents to supervisors", async () => {
    const queue = await isolatedQueue("waiting");
    await api.submit({}, queue);
    const supervisor = await api.createAgent("qsup", {}, ["ROLE_SUPERVISOR"]);
    const listed = (await api.request("GET", "/queues", supervisor.headers)).body.queues;
    const mine = listed.find((q: { name: string }) => q.name === queue);
    assert.equal(mine.waiting, 1);
    assert.deepEqual(mine.agents, { qualified: 0, ready: 0 });
    assert.ok(listed.some((q: { name: string; skills: unknown[] }) => q.name === "default" && q.skills.length === 0));
    // An agent picking where to place an interaction sees each queue's name and skills, not its standing.
    const agent = await api.createAgent("qagent");
    const seen = (await api.request("GET", "/queues", agent.headers)).body.queues;
    assert.deepEqual(
      seen.find((q: { name: string }) => q.name === queue),
      { name: queue, skills: [{ name: "waiting", level: 1 }] },
    );
    const taken = await api.request("POST", "/queues", ADMIN, { name: queue });
    assert.deepEqual([taken.status, taken.body.statusCode], [409, 2]);
  });
});

describe("presence and offers", () => {
  it("an agent whose last CometD client expires is NotReady, and their pending offer goes to someone else", async () => {
    const clock = manualClock(Date.now());
    const node = await startServer({
      now: clock.now,
      env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ROUTING_OFFER_TIMEOUT_MS: "600000", BAYEUX_MAX_INTERVAL_MS: "10000" },
    });
    try {
      const local = agentApi(node.url);
      await local.request("POST", "/queues", ADMIN, { name: "presence", skills: [{ name: "presence", level: 1 }] });
      const leaving = await local.createAgent("leaving", { skills: [{ name: "presence", level: 5 }] });
      const bx = rawBayeux(`${node.url}/api/v2/notifications`);
      const hs = await bx.post([{ channel: "/meta/handshake", version: "1.0" }], leaving.headers);
      assert.equal(hs.body[0].successful, true);
      await local.ready(leaving);
      const id = await local.submit({}, "presence");
      await local.sees(leaving, id, "Invited");
      const staying = await local.createAgent("staying", { skills: [{ name: "presence", level: 5 }] });
      await local.ready(staying);
      clock.advance(11_000);
      await local.sees(staying, id, "Invited");
      const channels = (await local.request("GET", "/me/channels", leaving.headers)).body.channels;
      assert.deepEqual(channels.find((c: { channel: string }) => c.channel === "openmedia").userState, {
        id: "NotReady",
        state: "NotReady",
        displayName: "Not Ready",
        reason: "Disconnected",
      });
    } finally {
      await node.close();
    }
  });
});

describe("queue standing (for the chat API)", () => {
  it("gives the waiting count, a position, whether an agent is available and, with history, an estimated wait", async () => {
    const queue = await isolatedQueue("standing");
    const [a, b, c] = [await api.submit({}, queue), await api.submit({}, queue), await api.submit({}, queue)];
    assert.deepEqual(await queueStanding(server.app.ctx, queue, "openmedia", b), {
      waiting: 3,
      position: 2,
      agentAvailable: false,
      full: false,
      estimatedWaitSeconds: null,
    });
    const agent = await skilledAgent("standing", "standing", { capacity: { openmedia: 1 } });
    await api.sees(agent, a, "Invited");
    await api.operate(agent, a, { operationName: "Accept" });
    await api.operate(agent, a, { operationName: "StopProcessing" });
    await api.sees(agent, b, "Invited");
    const standing = await queueStanding(server.app.ctx, queue, "openmedia", c);
    assert.deepEqual([standing.waiting, standing.position, standing.agentAvailable], [1, 1, false]);
    assert.equal(typeof standing.estimatedWaitSeconds, "number");
  });
});

describe("deleting an agent", () => {
  it("requeues what they owned, so another agent gets it", async () => {
    const queue = await isolatedQueue("deleted");
    const gone = await skilledAgent("gone", "deleted");
    const id = await api.submit({}, queue);
    await api.sees(gone, id, "Invited");
    await api.operate(gone, id, { operationName: "Accept" });
    const next = await skilledAgent("next", "deleted");
    assert.equal((await api.request("DELETE", `/users/${gone.id}`, ADMIN)).body.statusCode, 0);
    await api.sees(next, id, "Invited");
  });
});

/**
 * Routing chooses from each node's view of the agents (actions/routing-view.ts), and the claim is
 * decided in the database. A stale view (a change this node never heard of: a lost bus message,
 * a node that died after its commit) may cost a retry or a wait; it never offers an interaction
 * to an agent who is full or not Ready, and never twice.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { eventually, manualClock, present, startServer, type TestServer } from "../support/server.ts";

/** Every NewInteraction notice the node sends: (interaction, agent). */
function recordOffers(node: TestServer): { interactionId: string; agentId: string }[] {
  const offers: { interactionId: string; agentId: string }[] = [];
  const deliver = node.app.bayeux.deliver.bind(node.app.bayeux);
  node.app.bayeux.deliver = (endpoint, identity, channel, data) => {
    const message = data as { notificationType?: string; id?: string };
    if (channel === "/v2/me/interactions" && message.notificationType === "NewInteraction" && message.id !== undefined)
      offers.push({ interactionId: message.id, agentId: identity });
    deliver(endpoint, identity, channel, data);
  };
  return offers;
}

describe("routing from a stale view of the agents", () => {
  let node: TestServer;
  let api: ReturnType<typeof agentApi>;
  let offers: { interactionId: string; agentId: string }[];

  before(async () => {
    // The timer's full reload would repair the view within the test: kept out of the way.
    node = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "60000", ROUTING_OFFER_TIMEOUT_MS: "600000" } });
    api = agentApi(node.url);
    offers = recordOffers(node);
  });
  after(() => node.close());

  /** The view's candidate for `agent` on openmedia, to make it lie. */
  async function viewOf(agent: TestAgent) {
    return present((await node.app.ctx.routing.view.candidates("openmedia")).get(agent.id), `agent ${agent.id} in the view`);
  }

  async function offeredTo(id: string): Promise<string> {
    return (await eventually(async () => offers.find((o) => o.interactionId === id), 5000, `an offer of ${id}`)).agentId;
  }

  it("never offers to an agent the view wrongly thinks has room; the next agent gets it", async () => {
    await api.request("POST", "/queues", ADMIN, { name: "stale-full" });
    const ann = await api.createAgent("stale-ann", { capacity: { openmedia: 1 } });
    const bob = await api.createAgent("stale-bob", { capacity: { openmedia: 1 } });
    await api.ready(ann);
    await api.ready(bob);
    const first = await api.submit({ n: 1 }, "stale-full");
    assert.equal(await offeredTo(first), ann.id, "longest idle first");
    // The view forgets that ann holds it, and thinks she has waited longest.
    const annInView = await viewOf(ann);
    annInView.load = 0;
    annInView.idleSince = 0;
    const second = await api.submit({ n: 2 }, "stale-full");
    assert.equal(await offeredTo(second), bob.id);
    assert.equal(offers.filter((o) => o.agentId === ann.id).length, 1, "ann was offered nothing more");
    assert.deepEqual(
      (await api.mine(ann)).map((ix) => ix.id),
      [first],
    );
    assert.equal((await node.app.store.agentInteractions.loads("openmedia")).get(ann.id), 1, "her load in the database is still her capacity");
  });

  it("never offers to an agent the view wrongly thinks Ready; the work waits for someone who is", async () => {
    const cy = await api.createAgent("stale-cy", { capacity: { openmedia: 1 } });
    await api.ready(cy);
    await viewOf(cy);
    // NotReady in the database behind the view's back (as another node's change whose message was lost).
    await node.app.store.agentChannels.set(cy.id, { channel: "openmedia", state: "NotReady", reason: "Lunch", changedAt: Date.now() });
    const waiting = await api.submit({ n: 3 }, "stale-full");
    await node.app.router.settle();
    assert.equal(
      offers.some((o) => o.interactionId === waiting),
      false,
      "not offered to cy (NotReady), nor to anyone else (all full)",
    );
    assert.equal((await api.mine(cy)).length, 0);
    // Cy comes back: now it is hers.
    await api.ready(cy);
    assert.equal(await offeredTo(waiting), cy.id);
  });

  it("a view that missed an agent's Ready only delays: the timer's reload finds them", async () => {
    const dee = await api.createAgent("stale-dee", { capacity: { openmedia: 1 } });
    await api.ready(dee);
    (await node.app.ctx.routing.view.candidates("openmedia")).delete(dee.id);
    const id = await api.submit({ n: 4 }, "stale-full");
    await node.app.router.settle();
    assert.equal(await offeredTo(id), dee.id, "settle runs the timer's pass: the reload, then routing");
  });

  it("a user's changed capacity counts at once, not at the timer's reload", async () => {
    await api.request("POST", "/queues", ADMIN, { name: "grown" });
    const eve = await api.createAgent("grown-eve", { capacity: { openmedia: 1 } });
    await api.ready(eve);
    const first = await api.submit({ n: 5 }, "grown");
    assert.equal(await offeredTo(first), eve.id);
    assert.equal((await viewOf(eve)).load, 1, "the view has read her offer");
    assert.equal((await api.request("PUT", `/users/${eve.id}`, ADMIN, { capacity: { openmedia: 2 } })).body.statusCode, 0);
    const second = await api.submit({ n: 6 }, "grown");
    assert.equal(await offeredTo(second), eve.id, "her second slot, though every other agent is full");
  });
});

describe("longest idle", () => {
  it("counts from when an agent's last work ended, not from when it was offered", async () => {
    const clock = manualClock();
    const node = await startServer({ now: clock.now, env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "60000" } });
    try {
      const api = agentApi(node.url);
      const offers = recordOffers(node);
      const offeredTo = async (id: string) => (await eventually(async () => offers.find((o) => o.interactionId === id), 5000, `an offer of ${id}`)).agentId;
      const finish = async (agent: TestAgent, id: string) => {
        await api.operate(agent, id, { operationName: "Accept" });
        await api.operate(agent, id, { operationName: "StopProcessing" });
      };
      await api.request("POST", "/queues", ADMIN, { name: "idle" });
      const ann = await api.createAgent("idle-ann", { capacity: { openmedia: 1 } });
      const bob = await api.createAgent("idle-bob", { capacity: { openmedia: 1 } });
      await api.ready(ann);
      clock.advance(1000);
      await api.ready(bob);
      clock.advance(1000);
      const first = await api.submit({ n: 1 }, "idle");
      assert.equal(await offeredTo(first), ann.id, "Ready longest");
      clock.advance(1000);
      const second = await api.submit({ n: 2 }, "idle");
      assert.equal(await offeredTo(second), bob.id);
      clock.advance(1000);
      await finish(bob, second);
      clock.advance(60_000);
      await finish(ann, first);
      clock.advance(1000);
      const third = await api.submit({ n: 3 }, "idle");
      assert.equal(await offeredTo(third), bob.id, "bob has had nothing for a minute; ann just finished");
    } finally {
      await node.close();
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyOperation, offer, type AgentInteraction } from "./agent-interactions.ts";
import { graceOver, isAbsent, orphanedBy, presenceExpiry, releaseAbsentAgent, renewalInterval, tookTheirWork, type AgentPresence } from "./agent-presence.ts";

const TTL = 15_000;
const GRACE = 60_000;

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const renewedAt = (at: number): AgentPresence => ({ userId: "ann", nodeId: "a", expiresAt: presenceExpiry(at, TTL), orphanedAt: null });

describe("presence expiry", () => {
  it("renews three times per expiry, so one late renewal does not make an agent absent", () => {
    assert.equal(renewalInterval(TTL), 5000);
    assert.equal(renewalInterval(2), 1, "never zero");
  });

  it("an agent is absent once their row expired unrenewed, unless the sweeping node holds a client of theirs", () => {
    const clock = manualClock();
    const presence = renewedAt(clock.now());
    clock.advance(TTL - 1);
    assert.equal(isAbsent(presence, clock.now(), false), false, "not expired yet");
    clock.advance(1);
    assert.equal(isAbsent(presence, clock.now(), false), true);
    assert.equal(isAbsent(presence, clock.now(), true), false, "a client on this node: this node renews it");
    assert.equal(isAbsent({ ...presence, orphanedAt: clock.now() }, clock.now(), false), false, "already made absent by a sweep");
  });

  it("an absent agent's grace ends AGENT_ORPHAN_GRACE_MS after a sweep found them absent", () => {
    const clock = manualClock();
    const orphaned: AgentPresence = { ...renewedAt(clock.now() - TTL), orphanedAt: clock.now() };
    clock.advance(GRACE - 1);
    assert.equal(graceOver(orphaned, clock.now(), GRACE), false);
    assert.ok((orphaned.orphanedAt ?? Infinity) > orphanedBy(clock.now(), GRACE));
    clock.advance(1);
    assert.equal(graceOver(orphaned, clock.now(), GRACE), true);
    assert.equal(orphaned.orphanedAt, orphanedBy(clock.now(), GRACE), "what the store looks for");
    assert.equal(graceOver(renewedAt(clock.now()), clock.now(), GRACE), false, "a renewed agent has no grace to end");
  });
});

describe("releaseAbsentAgent", () => {
  const queued: AgentInteraction = {
    id: "ix1",
    mediaType: "chat",
    state: "Queued",
    queue: "sales",
    entryQueue: "sales",
    ownerId: null,
    invitation: null,
    conference: [],
    lastRejectedBy: null,
    workbin: null,
    properties: {},
    customerId: null,
    createdAt: 0,
    queuedAt: 0,
    updatedAt: 0,
    completedAt: null,
    acceptedAt: null,
    answeredAt: null,
    abandonedAt: null,
    priority: 0,
    overflowStep: 0,
    customerKey: null,
    saveLastAgent: true,
  };
  const accepted = applyOperation(offer(queued, "ann", 1, 1000).next, "ann", { operationName: "Accept" }, 2).next;

  it("puts an accepted chat back in its queue, and says the customer lost their agent", () => {
    const outcome = releaseAbsentAgent(accepted, "ann", 10);
    assert.deepEqual(
      [outcome?.next.state, outcome?.next.ownerId, outcome?.next.queue, outcome?.next.queuedAt, outcome?.reroute],
      ["Queued", null, "sales", 10, true],
    );
    assert.equal(outcome !== null && tookTheirWork(accepted, outcome.next, "ann"), true);
  });

  it("hands a conference's chat to the first agent still in it, without requeueing", () => {
    const conferenced = { ...accepted, conference: ["bob"] };
    const outcome = releaseAbsentAgent(conferenced, "ann", 10);
    assert.deepEqual([outcome?.next.state, outcome?.next.ownerId, outcome?.next.conference], ["Accepted", "bob", []]);
    assert.equal(outcome !== null && tookTheirWork(conferenced, outcome.next, "ann"), false);
  });

  it("leaves work parked in the agent's workbin, and declines invitations", () => {
    const parked = applyOperation(accepted, "ann", { operationName: "PlaceInWorkbin", workbin: "later" }, 5).next;
    assert.equal(releaseAbsentAgent(parked, "ann", 10), null);
    const transfer = applyOperation({ ...accepted, ownerId: "bob" }, "bob", { operationName: "Transfer", targetId: "ann" }, 5).next;
    const declined = releaseAbsentAgent(transfer, "ann", 10);
    assert.deepEqual([declined?.next.ownerId, declined?.next.invitation, declined?.next.state], ["bob", null, "Accepted"]);
    assert.equal(releaseAbsentAgent({ ...accepted, state: "Completed" }, "ann", 10), null);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyOperation,
  endByCustomer,
  expireOffer,
  mergeProperties,
  offer,
  parseOperation,
  releaseAgent,
  reprioritize,
  viewState,
  type AgentInteraction,
} from "./agent-interactions.ts";

const queued: AgentInteraction = {
  id: "ix1",
  mediaType: "openmedia",
  state: "Queued",
  queue: "default",
  entryQueue: "default",
  ownerId: null,
  invitation: null,
  conference: [],
  lastRejectedBy: null,
  workbin: null,
  properties: { a: 1 },
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
const offered = offer(queued, "ann", 1, 1000).next;
const accepted = applyOperation(offered, "ann", { operationName: "Accept" }, 2).next;

describe("offer, accept, reject, expire", () => {
  it("an offer invites one agent until it expires; Accept makes them the owner", () => {
    assert.deepEqual(offered.invitation, { agentId: "ann", kind: "route", expiresAt: 1001 });
    assert.equal(viewState(offered, "ann"), "Invited");
    assert.equal(accepted.state, "Accepted");
    assert.equal(accepted.ownerId, "ann");
    assert.equal(accepted.invitation, null);
  });

  it("Reject and expiry requeue it, remembering who declined", () => {
    for (const next of [applyOperation(offered, "ann", { operationName: "Reject" }, 5).next, expireOffer(offered, 5).next]) {
      assert.deepEqual([next.state, next.ownerId, next.invitation, next.lastRejectedBy, next.queuedAt], ["Queued", null, null, "ann", 5]);
    }
  });

  it("Accept stamps when the owner accepted it (handle time runs from there); a requeue forgets it", () => {
    assert.equal(accepted.acceptedAt, 2);
    const transferred = applyOperation(
      applyOperation(accepted, "ann", { operationName: "Transfer", targetId: "bob" }, 3).next,
      "bob",
      { operationName: "Accept" },
      7,
    );
    assert.equal(transferred.next.acceptedAt, 7, "the new owner's accept");
    assert.equal(applyOperation(accepted, "ann", { operationName: "PlaceInQueue", queue: "other" }, 4).next.acceptedAt, null);
  });

  it("refuses what the state does not allow: Accept twice, StopProcessing by the invitee, Accept by someone else", () => {
    assert.throws(() => applyOperation(accepted, "ann", { operationName: "Accept" }, 3), /not possible/);
    assert.throws(() => applyOperation(offered, "ann", { operationName: "StopProcessing" }, 3), /not possible/);
    assert.throws(() => applyOperation(offered, "bob", { operationName: "Accept" }, 3), /not possible/);
  });
});

describe("work on an accepted interaction", () => {
  it("StopProcessing completes it once", () => {
    const done = applyOperation(accepted, "ann", { operationName: "StopProcessing" }, 3);
    assert.equal(done.next.state, "Completed");
    assert.equal(done.completed, true);
    assert.throws(() => applyOperation(done.next, "ann", { operationName: "StopProcessing" }, 4), /not possible/);
  });

  it("Transfer invites the target; ownership moves when they accept, and the first owner is told it left them", () => {
    const inviting = applyOperation(accepted, "ann", { operationName: "Transfer", targetId: "bob" }, 3).next;
    assert.equal(viewState(inviting, "bob"), "Invited");
    assert.equal(viewState(inviting, "ann"), "Accepted");
    const moved = applyOperation(inviting, "bob", { operationName: "Accept" }, 4);
    assert.equal(moved.next.ownerId, "bob");
    assert.deepEqual(
      moved.notices.find((n) => n.agentId === "ann"),
      { agentId: "ann", notificationType: "StatusChange", state: "Completed" },
    );
  });

  it("a conference: InvitedConference, then both work on it; leaving tells the others, the owner keeps it", () => {
    const inviting = applyOperation(accepted, "ann", { operationName: "StartConference", agentId: "bob" }, 3).next;
    assert.equal(viewState(inviting, "bob"), "InvitedConference");
    const joined = applyOperation(inviting, "bob", { operationName: "Accept" }, 4).next;
    assert.deepEqual(joined.conference, ["bob"]);
    const left = applyOperation(joined, "bob", { operationName: "EndConference" }, 5);
    assert.deepEqual(left.next.conference, []);
    assert.equal(left.next.ownerId, "ann");
    assert.equal(left.notices.find((n) => n.agentId === "bob")?.state, "LeftConference");
    const ended = applyOperation(joined, "ann", { operationName: "EndConference" }, 5);
    assert.deepEqual([ended.next.ownerId, ended.next.conference], ["ann", []]);
  });

  it("PlaceInQueue and PlaceInWorkbin release it", () => {
    const requeued = applyOperation(accepted, "ann", { operationName: "PlaceInQueue", queue: "vip" }, 3).next;
    assert.deepEqual([requeued.state, requeued.queue, requeued.ownerId], ["Queued", "vip", null]);
    const parking = applyOperation(accepted, "ann", { operationName: "PlaceInWorkbin", workbin: "later" }, 3);
    const parked = parking.next;
    assert.deepEqual([parked.state, parked.workbin, parked.ownerId], ["InWorkbin", "later", "ann"]);
    assert.deepEqual(parking.notices, [{ agentId: "ann", notificationType: "StatusChange", state: "InWorkbin" }], "its owner sees it parked");
  });

  it("the owner takes back what they parked with Accept; nobody else can", () => {
    const parked = applyOperation(accepted, "ann", { operationName: "PlaceInWorkbin", workbin: "later" }, 3).next;
    const back = applyOperation(parked, "ann", { operationName: "Accept" }, 4);
    assert.deepEqual([back.next.state, back.next.workbin, back.next.ownerId], ["Accepted", null, "ann"]);
    assert.deepEqual(back.notices, [{ agentId: "ann", notificationType: "StatusChange" }]);
    assert.throws(() => applyOperation(parked, "bob", { operationName: "Accept" }, 4), /not possible/);
  });
});

describe("releaseAgent (a deleted user)", () => {
  it("requeues what they owned or parked, declines their invitations, leaves their conference seat", () => {
    assert.equal(releaseAgent(accepted, "ann", 9)?.next.state, "Queued");
    const parked = applyOperation(accepted, "ann", { operationName: "PlaceInWorkbin", workbin: "w" }, 3).next;
    assert.deepEqual([releaseAgent(parked, "ann", 9)?.next.state, releaseAgent(parked, "ann", 9)?.next.ownerId], ["Queued", null]);
    assert.equal(releaseAgent(offered, "ann", 9)?.next.state, "Queued");
    const inviting = applyOperation(accepted, "ann", { operationName: "Transfer", targetId: "bob" }, 3).next;
    assert.deepEqual([releaseAgent(inviting, "bob", 9)?.next.ownerId, releaseAgent(inviting, "bob", 9)?.next.invitation], ["ann", null]);
    assert.equal(releaseAgent(accepted, "zed", 9), null);
  });
});

describe("properties and parsing", () => {
  it("merges properties: keys replace, objects merge, null removes", () => {
    assert.deepEqual(mergeProperties({ a: 1, b: { c: 1, d: 2 }, e: 3 }, { a: 2, b: { c: 9 }, e: null }), { a: 2, b: { c: 9, d: 2 } });
  });

  it("parses operations, LeaveConference as EndConference, and names what is missing", () => {
    assert.deepEqual(parseOperation({ operationName: "LeaveConference", agentId: "x" }), { operationName: "EndConference" });
    assert.throws(() => parseOperation({ operationName: "Transfer" }), /targetId: required/);
    assert.throws(() => parseOperation({ operationName: "Dance" }), /Dance is not an interaction operation/);
    assert.throws(() => parseOperation({ operationName: "UpdateProperties", properties: [1] }), /properties: required/);
  });
});

describe("answered and abandoned (service levels)", () => {
  it("the first Accept of an offer answers it; a later transfer's Accept keeps that time", () => {
    assert.equal(offered.answeredAt, null);
    assert.equal(accepted.answeredAt, 2);
    const transferred = applyOperation(accepted, "ann", { operationName: "Transfer", targetId: "bob" }, 3).next;
    assert.equal(applyOperation(transferred, "bob", { operationName: "Accept" }, 9).next.answeredAt, 2);
    const requeued = applyOperation(accepted, "ann", { operationName: "PlaceInQueue", queue: "other" }, 4).next;
    const again = applyOperation(offer(requeued, "bob", 5, 1000).next, "bob", { operationName: "Accept" }, 6).next;
    assert.deepEqual([again.answeredAt, again.queue, again.entryQueue], [2, "other", "default"]);
  });

  it("a customer who leaves while it is queued or offered, never answered, abandons it", () => {
    assert.equal(endByCustomer(queued, 7)?.next.abandonedAt, 7);
    assert.equal(endByCustomer(offered, 8)?.next.abandonedAt, 8);
    const expired = expireOffer(offered, 5).next;
    assert.equal(endByCustomer(expired, 9)?.next.abandonedAt, 9, "queued again after an offer expired: still never answered");
  });

  it("a customer who leaves once answered does not abandon it, even queued again", () => {
    assert.equal(endByCustomer(accepted, 7)?.next.abandonedAt, null);
    const requeued = applyOperation(accepted, "ann", { operationName: "PlaceInQueue", queue: "default" }, 4).next;
    assert.deepEqual([requeued.state, endByCustomer(requeued, 8)?.next.abandonedAt], ["Queued", null]);
  });

  it("an agent who completes an answered interaction abandons nothing", () => {
    const done = applyOperation(accepted, "ann", { operationName: "StopProcessing" }, 30).next;
    assert.deepEqual([done.completedAt, done.answeredAt, done.abandonedAt], [30, 2, null]);
  });
});

describe("priority, overflow and saveLAR in operations", () => {
  it("reads saveLAR on Accept and StopProcessing, and a priority on UpdateProperties, each in range", () => {
    assert.deepEqual(parseOperation({ operationName: "Accept", saveLAR: false }), { operationName: "Accept", saveLAR: false });
    assert.deepEqual(parseOperation({ operationName: "StopProcessing" }), { operationName: "StopProcessing" });
    assert.throws(() => parseOperation({ operationName: "Accept", saveLAR: "no" }), /saveLAR: true or false/);
    assert.deepEqual(parseOperation({ operationName: "UpdateProperties", properties: {}, priority: 1000 }), {
      operationName: "UpdateProperties",
      properties: {},
      priority: 1000,
    });
    for (const priority of [-1, 1001, 2.5, "5"]) {
      assert.throws(() => parseOperation({ operationName: "UpdateProperties", properties: {}, priority }), /priority: an integer from 0 to 1000/);
    }
  });

  it("the owner's saveLAR: given on Accept (true unless false), changeable when completing", () => {
    const optedOut = applyOperation(offered, "ann", { operationName: "Accept", saveLAR: false }, 2).next;
    assert.equal(optedOut.saveLastAgent, false);
    assert.equal(applyOperation(optedOut, "ann", { operationName: "StopProcessing" }, 3).next.saveLastAgent, false);
    assert.equal(applyOperation(optedOut, "ann", { operationName: "StopProcessing", saveLAR: true }, 3).next.saveLastAgent, true);
    assert.equal(applyOperation(accepted, "ann", { operationName: "StopProcessing", saveLAR: false }, 3).next.saveLastAgent, false);
    // A transfer's new owner decides for themselves.
    const inviting = applyOperation(optedOut, "ann", { operationName: "Transfer", targetId: "bob" }, 3).next;
    assert.equal(applyOperation(inviting, "bob", { operationName: "Accept" }, 4).next.saveLastAgent, true);
  });

  it("UpdateProperties sets a priority when given; PlaceInQueue to another queue starts its overflow over, to the same keeps it", () => {
    assert.equal(applyOperation(accepted, "ann", { operationName: "UpdateProperties", properties: {}, priority: 7 }, 3).next.priority, 7);
    const stepped = { ...accepted, overflowStep: 2, priority: 50, properties: { a: 1, routing_overflow_step: 2 } };
    const moved = applyOperation(stepped, "ann", { operationName: "PlaceInQueue", queue: "vip" }, 3).next;
    assert.deepEqual([moved.overflowStep, moved.priority, moved.properties], [0, 50, { a: 1 }]);
    const back = applyOperation(stepped, "ann", { operationName: "PlaceInQueue", queue: "default" }, 3).next;
    assert.equal(back.overflowStep, 2);
  });

  it("reprioritize sets it on anything not ended", () => {
    assert.equal(reprioritize(queued, 900, 5).priority, 900);
    assert.throws(() => reprioritize({ ...accepted, state: "Completed" }, 1, 5), /has ended/);
  });
});

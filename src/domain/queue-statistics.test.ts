import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyOperation, endByCustomer, offer, type AgentInteraction } from "./agent-interactions.ts";
import { defaultPolicy } from "./queue-policy.ts";
import { NO_ACTIVITY, queueEvents, summarize, thresholdsOf, windowStarts } from "./queue-statistics.ts";

describe("summarize: a window's figures", () => {
  it("service level: answered within the threshold over answered and abandons past the short threshold", () => {
    // 10 answered, 8 of them within 20 s; 4 abandoned, 1 of them under 5 s (left out).
    const stats = summarize({ ...NO_ACTIVITY, offered: 15, answered: 10, answeredWithin: 8, abandoned: 4, abandonedShort: 1 });
    assert.equal(stats.serviceLevel, 0.6154, "8 / 13, to four decimals");
    assert.deepEqual([stats.offered, stats.answered, stats.answeredWithinServiceLevel, stats.abandoned, stats.shortAbandoned], [15, 10, 8, 4, 1]);
  });

  it("service level: short abandons alone leave it undefined (null), long ones bring it to 0", () => {
    assert.equal(summarize({ ...NO_ACTIVITY, abandoned: 2, abandonedShort: 2 }).serviceLevel, null);
    assert.equal(summarize({ ...NO_ACTIVITY, abandoned: 2, abandonedShort: 1 }).serviceLevel, 0);
    assert.equal(summarize(NO_ACTIVITY).serviceLevel, null);
  });

  it("averages of speed of answer and handle time, in seconds, null without any", () => {
    const stats = summarize({ ...NO_ACTIVITY, answered: 4, waitMs: 50_000, handled: 3, handleMs: 600_000 });
    assert.deepEqual([stats.averageSpeedOfAnswerSeconds, stats.handled, stats.averageHandleTimeSeconds], [12.5, 3, 200]);
    assert.deepEqual([summarize(NO_ACTIVITY).averageSpeedOfAnswerSeconds, summarize(NO_ACTIVITY).averageHandleTimeSeconds], [null, null]);
  });

  it("thresholds come from the queue's policy, in ms", () => {
    assert.deepEqual(thresholdsOf(defaultPolicy("q")), { serviceLevelMs: 20_000, shortAbandonMs: 5_000 });
    assert.deepEqual(thresholdsOf({ ...defaultPolicy("q"), serviceLevelSeconds: 30, shortAbandonSeconds: 0 }), { serviceLevelMs: 30_000, shortAbandonMs: 0 });
  });
});

describe("windowStarts", () => {
  it("the last 15 minutes, and today from midnight in the statistics time zone", () => {
    const now = Date.UTC(2026, 11, 5, 23, 30);
    assert.deepEqual(windowStarts(now, "UTC"), { last15Minutes: now - 900_000, today: Date.UTC(2026, 11, 5) });
    // 00:30 on 6 December in Paris.
    assert.equal(windowStarts(now, "Europe/Paris").today, Date.UTC(2026, 11, 5, 23, 0));
  });
});

describe("queueEvents: what one change counts", () => {
  const created: AgentInteraction = {
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
    createdAt: 1_000,
    queuedAt: 1_000,
    updatedAt: 1_000,
    completedAt: null,
    acceptedAt: null,
    answeredAt: null,
    abandonedAt: null,
    priority: 0,
    overflowStep: 0,
    customerKey: null,
    saveLastAgent: true,
  };
  const offered = offer(created, "ann", 3_000, 30_000).next;
  const answered = applyOperation(offered, "ann", { operationName: "Accept" }, 13_000).next;

  it("created: offered; the first Accept: answered with its wait; completed: handled with its handle time", () => {
    assert.deepEqual(queueEvents(null, created), [{ kind: "offered", queue: "sales" }]);
    assert.deepEqual(queueEvents(created, offered), []);
    assert.deepEqual(queueEvents(offered, answered), [{ kind: "answered", queue: "sales", waitSeconds: 12 }]);
    const done = applyOperation(answered, "ann", { operationName: "StopProcessing" }, 73_000).next;
    assert.deepEqual(queueEvents(answered, done), [{ kind: "handled", queue: "sales", handleSeconds: 60 }]);
  });

  it("a customer who leaves unanswered: abandoned, not handled; a moved interaction still counts where it entered", () => {
    const left = endByCustomer({ ...offered, queue: "elsewhere" }, 4_000)?.next ?? created;
    assert.deepEqual(queueEvents(offered, left), [{ kind: "abandoned", queue: "sales", waitSeconds: 3 }]);
  });
});

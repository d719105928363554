import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentInteraction } from "./agent-interactions.ts";
import { leaveOverflow, OVERFLOW_STEP_PROPERTY, qualifiesFor, reachOverflowStep, routingRequirements, type QueueDemand } from "./overflow.ts";

const T0 = 1_000_000;
const sales: QueueDemand = {
  skills: [
    { name: "sales", level: 5 },
    { name: "english", level: 1 },
  ],
  overflow: [
    { afterSeconds: 30, lowerSkillLevelBy: 2, addQueues: [], raisePriorityBy: 0 },
    { afterSeconds: 60, lowerSkillLevelBy: 0, addQueues: ["support", "nowhere"], raisePriorityBy: 0 },
    { afterSeconds: 90, lowerSkillLevelBy: 0, addQueues: [], raisePriorityBy: 100 },
  ],
};
const queues = new Map([["support", { skills: [{ name: "support", level: 3 }] }]]);
const waiting = { priority: 10, overflowStep: 0, queuedAt: T0 };
const at = (seconds: number, w = waiting) => routingRequirements(sales, w, T0 + seconds * 1000, queues);

describe("routingRequirements (manual clock)", () => {
  it("asks the queue's own skills at its own priority before the first step", () => {
    assert.deepEqual(at(29.999), { skills: sales.skills, alternatives: [], priority: 10, step: 0 });
  });

  it("step 1: lower skill levels, never below 0", () => {
    const r = at(30);
    assert.equal(r.step, 1);
    assert.deepEqual(r.skills, [
      { name: "sales", level: 3 },
      { name: "english", level: 0 },
    ]);
    assert.ok(
      qualifiesFor(
        [
          { name: "sales", level: 3 },
          { name: "english", level: 0 },
        ],
        r,
      ),
    );
    assert.ok(
      !qualifiesFor(
        [
          { name: "sales", level: 2 },
          { name: "english", level: 1 },
        ],
        r,
      ),
    );
  });

  it("step 2: another queue's agents qualify too (a queue that does not exist adds nothing); the lowered levels stay", () => {
    const r = at(60);
    assert.equal(r.step, 2);
    assert.deepEqual(r.alternatives, [[{ name: "support", level: 3 }]]);
    assert.equal(r.skills[0]?.level, 3);
    assert.ok(qualifiesFor([{ name: "support", level: 4 }], r));
    assert.ok(!qualifiesFor([{ name: "support", level: 2 }], r));
  });

  it("step 3: raises the priority once, bounded at the top", () => {
    assert.deepEqual([at(90).priority, at(90).step], [110, 3]);
    assert.equal(at(3600).step, 3, "no step past the last");
    // Stored once reached: the stored priority has the raise in it, and it is not raised again.
    assert.equal(at(120, { priority: 110, overflowStep: 3, queuedAt: T0 }).priority, 110);
    assert.equal(at(90, { priority: 950, overflowStep: 0, queuedAt: T0 }).priority, 1000);
  });

  it("keeps a step reached when its wait restarts (an offer declined); it goes on from there", () => {
    const requeued = { priority: 110, overflowStep: 3, queuedAt: T0 + 200_000 };
    assert.deepEqual([at(200, requeued).step, at(200, requeued).priority], [3, 110]);
    assert.equal(routingRequirements(sales, { priority: 0, overflowStep: 1, queuedAt: T0 }, T0 + 61_000, queues).step, 2);
  });

  it("a queue with no steps asks what it asks, whatever the wait", () => {
    assert.deepEqual(routingRequirements({ skills: [], overflow: [] }, waiting, T0 + 86_400_000, queues), {
      skills: [],
      alternatives: [],
      priority: 10,
      step: 0,
    });
  });
});

describe("reachOverflowStep, leaveOverflow", () => {
  const ix = { id: "ix", queue: "sales", priority: 10, overflowStep: 0, queuedAt: T0, updatedAt: T0, properties: { a: 1 } } as unknown as AgentInteraction;

  it("records a new step: its number in the attached data, the priority raised, a new version", () => {
    const next = reachOverflowStep(ix, at(90), T0 + 90_000);
    assert.deepEqual([next.overflowStep, next.priority, next.updatedAt], [3, 110, T0 + 90_000]);
    assert.deepEqual(next.properties, { a: 1, [OVERFLOW_STEP_PROPERTY]: 3 });
    assert.equal(reachOverflowStep(next, at(100, next), T0 + 100_000), next, "nothing new: the same interaction");
  });

  it("starts over in another queue, keeping the raised priority", () => {
    const moved = leaveOverflow(reachOverflowStep(ix, at(90), T0 + 90_000));
    assert.deepEqual([moved.overflowStep, moved.priority, moved.properties], [0, 110, { a: 1 }]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentInteraction } from "./agent-interactions.ts";
import type { QueueDemand } from "./overflow.ts";
import type { Candidate } from "./routing.ts";
import { chooseAgentFor, planRouting, type Choice } from "./routing-plan.ts";

const T0 = 1_000_000;
const waiting = (id: string, priority: number, queuedAt: number, over: Partial<AgentInteraction> = {}) =>
  ({ id, queue: "q", priority, overflowStep: 0, queuedAt, createdAt: queuedAt, customerKey: null, ...over }) as AgentInteraction;
const plain: QueueDemand = { skills: [{ name: "q", level: 5 }], overflow: [] };
const raising: QueueDemand = { skills: [], overflow: [{ afterSeconds: 60, lowerSkillLevelBy: 0, addQueues: [], raisePriorityBy: 20 }] };

describe("planRouting: the order of a pass (manual clock)", () => {
  it("serves higher priority first; within one priority the longest waiting; then by id", () => {
    const queued = [waiting("late-low", 0, T0 + 5), waiting("b-high", 10, T0 + 9), waiting("early-low", 0, T0 + 1), waiting("a-high", 10, T0 + 9)];
    const order = planRouting(queued, () => plain, new Map(), T0 + 10).map((p) => p.ix.id);
    assert.deepEqual(order, ["a-high", "b-high", "early-low", "late-low"]);
  });

  it("orders by the priority an overflow step raised, once the step is reached", () => {
    const queued = [waiting("vip", 15, T0 + 30_000), waiting("waited", 0, T0)];
    assert.deepEqual(
      planRouting(queued, () => raising, new Map(), T0 + 59_999).map((p) => p.ix.id),
      ["vip", "waited"],
    );
    const later = planRouting(queued, () => raising, new Map(), T0 + 60_000);
    assert.deepEqual(
      later.map((p) => [p.ix.id, p.requirements.priority]),
      [
        ["waited", 20],
        ["vip", 15],
      ],
    );
  });
});

describe("chooseAgentFor: the agent (manual clock)", () => {
  const agent = (agentId: string, idleSince: number, over: Partial<Candidate> = {}): Candidate => ({
    agentId,
    skills: [{ name: "q", level: 5 }],
    capacity: 1,
    load: 0,
    idleSince,
    ...over,
  });
  const requirements = { skills: [{ name: "q", level: 5 }], alternatives: [], priority: 0, step: 0 };
  const rule = { windowMs: 1_800_000, waitMs: 10_000 };
  const choice = (over: Partial<Choice> = {}): Choice => ({
    ix: { createdAt: T0 },
    requirements,
    declinedBy: null,
    lastAgent: null,
    lastAgentRule: rule,
    now: T0,
    ...over,
  });
  const pool = [agent("ann", T0 - 100), agent("bob", T0 - 900), agent("low", T0 - 5000, { skills: [{ name: "q", level: 3 }] })];

  it("is the longest idle qualified agent with a free slot, not the one who declined", () => {
    assert.equal(chooseAgentFor(pool, choice())?.agentId, "bob");
    assert.equal(chooseAgentFor(pool, choice({ declinedBy: "bob" }))?.agentId, "ann");
    assert.equal(chooseAgentFor([agent("bob", 0, { load: 1 })], choice()), null);
  });

  it("takes a lower-skilled agent once an overflow step lowered the levels", () => {
    const lowered = { ...requirements, skills: [{ name: "q", level: 3 }], step: 1 };
    assert.equal(chooseAgentFor(pool, choice({ requirements: lowered }))?.agentId, "low");
  });

  it("keeps a chat for the customer's last agent during the wait, even when others idled longer", () => {
    const lastAgent = { agentId: "ann", endedAt: T0 - 60_000 };
    assert.equal(chooseAgentFor(pool, choice({ lastAgent }))?.agentId, "ann");
    assert.equal(chooseAgentFor(pool, choice({ lastAgent, now: T0 + 10_000 }))?.agentId, "bob", "after the wait, anyone");
  });

  it("waits for a last agent who is Ready but full; not for one who is not Ready or not qualified", () => {
    const lastAgent = { agentId: "ann", endedAt: T0 - 60_000 };
    const full = [agent("ann", T0, { load: 1 }), agent("bob", T0 - 900)];
    assert.equal(chooseAgentFor(full, choice({ lastAgent })), null);
    assert.equal(chooseAgentFor([agent("bob", T0 - 900)], choice({ lastAgent }))?.agentId, "bob");
    const unqualified = [agent("ann", T0, { skills: [] }), agent("bob", T0 - 900)];
    assert.equal(chooseAgentFor(unqualified, choice({ lastAgent }))?.agentId, "bob");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentInteraction } from "./agent-interactions.ts";
import { agentToRemember, customerKey, reservedAgent } from "./last-agent.ts";

const T0 = 1_000_000;
const rule = { windowMs: 1_800_000, waitMs: 10_000 };
const last = { agentId: "ann", endedAt: T0 - 60_000 };

describe("customerKey", () => {
  it("knows a chat's customer by a verified profile, else a proven gms_user; nobody else, and no other media", () => {
    assert.equal(customerKey("chat", { customerId: "C1", provenGmsUser: "u1" }), "customer:C1");
    assert.equal(customerKey("chat", { customerId: null, provenGmsUser: "u1" }), "gms_user:u1");
    assert.equal(customerKey("chat", { customerId: null, provenGmsUser: null }), null);
    assert.equal(customerKey("openmedia", { customerId: "C1", provenGmsUser: null }), null);
  });
});

describe("reservedAgent (manual clock)", () => {
  const ix = { createdAt: T0 };

  it("keeps a new chat for the last agent for the wait after it was created, then for anyone", () => {
    assert.equal(reservedAgent(ix, last, rule, T0, null), "ann");
    assert.equal(reservedAgent(ix, last, rule, T0 + 9_999, null), "ann");
    assert.equal(reservedAgent(ix, last, rule, T0 + 10_000, null), null);
  });

  it("only when the previous chat ended within the window", () => {
    assert.equal(reservedAgent(ix, { agentId: "ann", endedAt: T0 - 1_800_000 }, rule, T0, null), "ann");
    assert.equal(reservedAgent(ix, { agentId: "ann", endedAt: T0 - 1_800_001 }, rule, T0, null), null);
  });

  it("not for an agent who just declined it, nor when off or unknown", () => {
    assert.equal(reservedAgent(ix, last, rule, T0, "ann"), null);
    assert.equal(reservedAgent(ix, last, { ...rule, windowMs: 0 }, T0, null), null);
    assert.equal(reservedAgent(ix, last, { ...rule, waitMs: 0 }, T0, null), null);
    assert.equal(reservedAgent(ix, null, rule, T0, null), null);
  });
});

describe("agentToRemember", () => {
  const ended = { state: "Completed", ownerId: "ann", customerKey: "customer:C1", saveLastAgent: true } as AgentInteraction;

  it("is the owner of a completed chat of a known customer, unless they opted out (saveLAR false)", () => {
    assert.equal(agentToRemember(ended), "ann");
    assert.equal(agentToRemember({ ...ended, saveLastAgent: false }), null);
    assert.equal(agentToRemember({ ...ended, customerKey: null }), null);
    assert.equal(agentToRemember({ ...ended, ownerId: null }), null, "ended before anyone accepted it");
    assert.equal(agentToRemember({ ...ended, state: "Accepted" }), null);
  });
});

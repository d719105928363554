import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseAgent, qualifies, routable, type Candidate, type Queue } from "./routing.ts";

const queue = (skills: Queue["skills"] = []): Queue => ({ name: "q", skills, createdAt: 0 });
const agent = (agentId: string, over: Partial<Candidate> = {}): Candidate => ({ agentId, skills: [], capacity: 3, load: 0, idleSince: 0, ...over });

describe("qualifies", () => {
  it("needs every skill of the queue at its level or higher", () => {
    assert.equal(
      qualifies(
        [
          { name: "en", level: 5 },
          { name: "fr", level: 2 },
        ],
        [{ name: "en", level: 5 }],
      ),
      true,
    );
    assert.equal(qualifies([{ name: "en", level: 4 }], [{ name: "en", level: 5 }]), false);
    assert.equal(
      qualifies(
        [{ name: "en", level: 9 }],
        [
          { name: "en", level: 1 },
          { name: "fr", level: 1 },
        ],
      ),
      false,
    );
    assert.equal(qualifies([], []), true);
  });
});

describe("chooseAgent", () => {
  it("takes the agent idle longest", () => {
    const picked = chooseAgent([agent("a", { idleSince: 30 }), agent("b", { idleSince: 10 }), agent("c", { idleSince: 20 })], queue(), null);
    assert.equal(picked?.agentId, "b");
  });

  it("skips agents without free capacity or without the skills", () => {
    const pool = [agent("full", { load: 3 }), agent("unskilled", { idleSince: 1 }), agent("ok", { idleSince: 5, skills: [{ name: "en", level: 3 }] })];
    assert.equal(chooseAgent(pool, queue([{ name: "en", level: 3 }]), null)?.agentId, "ok");
    assert.equal(chooseAgent([agent("full", { load: 3 })], queue(), null), null);
  });

  it("does not offer again at once to the agent who declined, even when nobody else qualifies", () => {
    assert.equal(chooseAgent([agent("a"), agent("b", { idleSince: 9 })], queue(), "a")?.agentId, "b");
    assert.equal(chooseAgent([agent("a")], queue(), "a"), null);
  });

  it("breaks ties by id, so every node chooses alike", () => {
    assert.equal(chooseAgent([agent("b"), agent("a")], queue(), null)?.agentId, "a");
  });
});

describe("routable", () => {
  it("needs one of the routing roles", () => {
    assert.equal(routable(["ROLE_AGENT"], ["ROLE_AGENT"]), true);
    assert.equal(routable(["ROLE_ADMIN", "ROLE_SUPERVISOR"], ["ROLE_AGENT"]), false);
    assert.equal(routable(["ROLE_SUPERVISOR", "ROLE_AGENT"], ["ROLE_AGENT"]), true);
    assert.equal(routable(["ROLE_SUPERVISOR"], ["ROLE_AGENT", "ROLE_SUPERVISOR"]), true);
  });
});

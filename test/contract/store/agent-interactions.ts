/** Queues and agent interactions (routed work): versioned updates, counts, order, retention. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AgentInteraction } from "../../../src/domain/agent-interactions.ts";
import type { Store } from "../../../src/store/store.ts";
import { UniqueViolation } from "../../../src/store/store.ts";
import { present } from "../../support/server.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function agentInteractionsContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("agent interactions and queues", () => {
    const work = (id: string, over: Partial<AgentInteraction> = {}): AgentInteraction => ({
      id,
      mediaType: "openmedia",
      state: "Queued",
      queue: "q1",
      ownerId: null,
      invitation: null,
      conference: [],
      lastRejectedBy: null,
      workbin: null,
      properties: { k: "v" },
      customerId: null,
      createdAt: T0,
      queuedAt: T0,
      updatedAt: T0,
      completedAt: null,
      acceptedAt: null,
      ...over,
    });

    it("stores queues and interactions, updates only from the expected version, counts and orders them", async () => {
      await store.queues.insert({ name: "q1", skills: [{ name: "en", level: 2 }], createdAt: T0 });
      await assert.rejects(store.queues.insert({ name: "q1", skills: [], createdAt: T0 }), UniqueViolation);
      assert.deepEqual((await store.queues.get("q1"))?.skills, [{ name: "en", level: 2 }]);
      await store.agentInteractions.insert(work("w2", { queuedAt: T0 + 2 }));
      await store.agentInteractions.insert(work("w1", { queuedAt: T0 + 1 }));
      await store.agentInteractions.insert(work("w3", { queuedAt: T0 + 3 }));
      assert.deepEqual(
        (await store.agentInteractions.queued(10)).map((w) => w.id),
        ["w1", "w2", "w3"],
      );
      assert.deepEqual(await store.agentInteractions.queuePosition("q1", "w2"), { waiting: 3, position: 2 });
      assert.deepEqual(await store.agentInteractions.queuePosition("q1", "nope"), { waiting: 3, position: null });

      const w1 = present(await store.agentInteractions.get("w1"), "interaction w1");
      const offered = { ...w1, state: "Invited" as const, invitation: { agentId: "a1", kind: "route" as const, expiresAt: T0 + 50 }, updatedAt: T0 + 10 };
      assert.equal(await store.agentInteractions.update(offered, { updatedAt: T0, state: "Queued" }), true);
      assert.equal(await store.agentInteractions.update(offered, { updatedAt: T0, state: "Queued" }), false, "a stale version changes nothing");
      assert.deepEqual((await store.agentInteractions.get("w1"))?.invitation, offered.invitation);
      assert.deepEqual(
        (await store.agentInteractions.expiredOffers(T0 + 50, 10)).map((w) => w.id),
        ["w1"],
      );

      const w2 = present(await store.agentInteractions.get("w2"), "interaction w2");
      const conferenced = { ...w2, state: "Accepted" as const, ownerId: "a2", conference: ["a1"], updatedAt: T0 + 11 };
      await store.agentInteractions.update(conferenced, { updatedAt: w2.updatedAt, state: "Queued" });
      assert.equal(await store.agentInteractions.load("a1", "openmedia"), 2, "an offer and a conference seat");
      assert.deepEqual([...(await store.agentInteractions.loads("openmedia")).entries()].sort(), [
        ["a1", 2],
        ["a2", 1],
      ]);
      assert.deepEqual((await store.agentInteractions.involving("a1")).map((w) => w.id).sort(), ["w1", "w2"]);
      assert.deepEqual((await store.agentInteractions.waiting()).get("q1"), { count: 1, oldestQueuedAt: T0 + 3 });

      const done = { ...conferenced, state: "Completed" as const, conference: [], completedAt: T0 + 1011, updatedAt: T0 + 1011 };
      await store.agentInteractions.update(done, { updatedAt: T0 + 11, state: "Accepted" });
      assert.equal(await store.agentInteractions.averageHandleMs("q1", 100), 1011);
      assert.equal(await store.agentInteractions.averageHandleMs("q9", 100), null);
    });

    it("deletes interactions completed before a time, oldest first, at most a batch; open ones stay", async () => {
      await store.agentInteractions.insert(work("old1", { state: "Completed", completedAt: T0 - 3_000_000 }));
      await store.agentInteractions.insert(work("old2", { state: "Completed", completedAt: T0 - 2_000_000 }));
      await store.agentInteractions.insert(work("recent", { state: "Completed", completedAt: T0 }));
      await store.agentInteractions.insert(work("open", { queuedAt: T0 - 5_000_000 }));
      assert.equal(await store.agentInteractions.deleteCompletedBefore(T0 - 500_000, 1), 1);
      assert.equal(await store.agentInteractions.get("old1"), null);
      assert.equal(await store.agentInteractions.deleteCompletedBefore(T0 - 500_000, 10), 1);
      assert.equal(await store.agentInteractions.get("old2"), null);
      assert.notEqual(await store.agentInteractions.get("recent"), null);
      assert.notEqual(await store.agentInteractions.get("open"), null);
    });
  });
}

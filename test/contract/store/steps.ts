/** Steps (states and tasks): store, list, complete. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { T0, newService } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function stepsContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("states and tasks", () => {
    it("stores, lists and completes children once", async () => {
      const sid = await store.services.insert(newService());
      const child = { serviceId: sid, started: { timestamp: "t" }, extensions: { E: [1] }, startedAt: T0 };
      await store.states.insert(1, { ...child, type: "A", previousStateId: null });
      await store.states.insert(2, { ...child, type: 2, previousStateId: 1 });
      await store.tasks.insert(1, { ...child, type: "t", stateId: 2 });
      await store.tasks.insert(2, { ...child, type: "u", stateId: null });
      assert.equal(await store.states.update(sid, 1, { completed: { d: 1 }, completedAt: T0 + 1 }), true);
      assert.equal(await store.states.update(sid, 1, { completed: { d: 2 }, completedAt: T0 + 2 }), false, "completes once");
      assert.deepEqual((await store.states.get(sid, 1))?.completed, { d: 1 });
      assert.deepEqual(
        (await store.states.list(sid, { status: "active" })).map((s) => s.id),
        [2],
      );
      assert.deepEqual(
        (await store.states.list(sid, { status: "all", types: ['"A"'] })).map((s) => s.id),
        [1],
      );
      assert.equal((await store.states.get(sid, 2))?.previousStateId, 1);
      assert.deepEqual(
        (await store.tasks.list(sid, { status: "all", stateId: 2 })).map((t) => t.id),
        [1],
      );
      assert.deepEqual(
        (await store.tasks.listForServices([sid, "nope"], "all")).map((t) => t.id),
        [1, 2],
      );
      assert.equal((await store.tasks.findActiveByType(sid, "t", 2))?.id, 1);
      assert.equal(await store.tasks.findActiveByType(sid, "t", null), null);
      assert.equal((await store.states.findActiveByType(sid, 2))?.id, 2);
      assert.equal(await store.tasks.completeAllActive(sid, { timestamp: "end" }, T0 + 9), 2);
      assert.equal((await store.tasks.list(sid, { status: "active" })).length, 0);
      assert.deepEqual((await store.tasks.get(sid, 2))?.extensions, { E: [1] });
    });
  });
}

/** Agent presence: renewals, and the sweep's conditional claims (two nodes sweeping act once). */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function agentPresenceContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("agent presence", () => {
    it("renews rows in bulk, moving them to the renewing node and clearing orphaned_at", async () => {
      await store.agentPresence.renew(["p1", "p2"], "node-a", T0 + 100);
      assert.deepEqual(await store.agentPresence.get("p1"), { userId: "p1", nodeId: "node-a", expiresAt: T0 + 100, orphanedAt: null });
      assert.equal(await store.agentPresence.markOrphaned("p2", T0 + 100), true);
      await store.agentPresence.renew(["p2"], "node-b", T0 + 500);
      assert.deepEqual(await store.agentPresence.get("p2"), { userId: "p2", nodeId: "node-b", expiresAt: T0 + 500, orphanedAt: null });
      await store.agentPresence.renew([], "node-b", T0 + 500);
      assert.equal(await store.agentPresence.get("nobody"), null);
    });

    it("removes a row only for the node that renewed it last", async () => {
      await store.agentPresence.renew(["r1"], "node-a", T0 + 100);
      assert.equal(await store.agentPresence.remove("r1", "node-b"), false, "another node's departure leaves it");
      assert.equal(await store.agentPresence.remove("r1", "node-a"), true);
      assert.equal(await store.agentPresence.get("r1"), null);
    });

    it("lists expired rows not yet orphaned, and marks each orphaned once, never a renewed one", async () => {
      const now = T0 + 10_000;
      await store.agentPresence.renew(["x1"], "dead", now - 10);
      await store.agentPresence.renew(["x2"], "dead", now);
      await store.agentPresence.renew(["x3"], "alive", now + 1);
      const expired = (await store.agentPresence.expired(now, 100)).map((p) => p.userId).filter((id) => id.startsWith("x"));
      assert.deepEqual(expired, ["x1", "x2"]);
      const marks = await Promise.all([store.agentPresence.markOrphaned("x1", now), store.agentPresence.markOrphaned("x1", now)]);
      assert.deepEqual(marks.sort(), [false, true], "two sweeps at once: one marks it");
      assert.equal(await store.agentPresence.markOrphaned("x3", now), false, "not expired");
      await store.agentPresence.renew(["x2"], "alive", now + 100);
      assert.equal(await store.agentPresence.markOrphaned("x2", now), false, "renewed before the sweep claimed it");
      assert.equal((await store.agentPresence.get("x1"))?.orphanedAt, now);
      assert.ok(!(await store.agentPresence.expired(now, 100)).some((p) => p.userId === "x1"), "an orphaned row is not listed again");
    });

    it("lists rows orphaned long enough, and lets one sweep claim each (not one renewed meanwhile)", async () => {
      const at = T0 + 20_000;
      await store.agentPresence.renew(["o1", "o2", "o3"], "dead", at);
      for (const id of ["o1", "o2"]) assert.equal(await store.agentPresence.markOrphaned(id, at), true);
      assert.equal(await store.agentPresence.markOrphaned("o3", at + 50), true);
      const due = (await store.agentPresence.orphaned(at, 100)).map((p) => p.userId).filter((id) => id.startsWith("o"));
      assert.deepEqual(due.sort(), ["o1", "o2"], "o3 was orphaned later");
      const claims = await Promise.all([store.agentPresence.claimOrphan("o1", at), store.agentPresence.claimOrphan("o1", at)]);
      assert.deepEqual(claims.sort(), [false, true], "two sweeps at once: one claims it");
      assert.equal(await store.agentPresence.get("o1"), null, "the claim deletes it");
      await store.agentPresence.renew(["o2"], "alive", at + 1000);
      assert.equal(await store.agentPresence.claimOrphan("o2", at), false, "the agent came back");
      assert.equal((await store.agentPresence.get("o2"))?.nodeId, "alive");
    });

    it("claims inside transactions: two concurrent ones take an orphan once", async () => {
      const at = T0 + 30_000;
      await store.agentPresence.renew(["t1"], "dead", at);
      await store.agentPresence.markOrphaned("t1", at);
      const claim = () => store.transaction((tx) => tx.agentPresence.claimOrphan("t1", at));
      assert.deepEqual((await Promise.all([claim(), claim()])).sort(), [false, true]);
    });
  });
}

/** Transactions: isolation, rollback, and no read of what an open transaction wrote. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { T0, newService } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function transactionsContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("transactions", () => {
    it("isolates concurrent transactions: a failing one rolls back only its own writes", async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            const id = await tx.services.insert(newService({ customerId: `ISO${i}` }));
            if (i % 3 === 0) throw new Error(`unit ${i} fails`);
            return id;
          }),
        ),
      );
      for (const [i, outcome] of outcomes.entries()) {
        const found = await store.services.list({ customerId: `ISO${i}`, status: "all" });
        if (i % 3 === 0) {
          assert.equal(outcome.status, "rejected");
          assert.equal(found.length, 0, `unit ${i} left nothing behind`);
        } else {
          assert.equal(outcome.status, "fulfilled");
          assert.equal(found.length, 1, `unit ${i} committed once`);
          assert.equal(found[0]?.id, (outcome as PromiseFulfilledResult<string>).value);
        }
      }
    });

    it("rolls back everything when the work throws", async () => {
      let id = "";
      await assert.rejects(
        store.transaction(async (tx) => {
          id = await tx.services.insert(newService({ customerId: "ROLLBACK" }));
          await tx.services.nextStepId(id, "state", T0, T0);
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(await store.services.get(id), null);
    });

    it("never shows a read the writes of a transaction still open, which then rolls back", async () => {
      // The row exists only inside the open transaction when the read is issued; the
      // transaction then fails. A read that ran at once on the shared connection would see it.
      let inserted!: (id: string) => void;
      const insertedId = new Promise<string>((resolve) => (inserted = resolve));
      let fail!: () => void;
      const failing = new Promise<void>((resolve) => (fail = resolve));
      const work = store.transaction(async (tx) => {
        inserted(await tx.services.insert(newService({ customerId: "UNCOMMITTED" })));
        await failing;
        throw new Error("rolled back");
      });
      const id = await insertedId;
      const read = store.services.get(id);
      fail();
      await assert.rejects(work, /rolled back/);
      assert.equal(await read, null);
    });
  });
}

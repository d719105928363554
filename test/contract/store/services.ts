/**
 * Services: insert, read, list, find, touch, step ids, delete; and a read after any change to
 * one shows the change (a store may keep reads in memory).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { NewService, Store } from "../../../src/store/store.ts";
import { present } from "../../support/server.ts";
import { T0, newService } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function servicesContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("services", () => {
    it("inserts and reads back a service, JSON echoed exactly", async () => {
      const extensions = { Cart: { items: [1, "2", { three: null }] }, "car type": "s.u.v." };
      const id = await store.services.insert(newService({ type: "1", extensions }));
      const service = await store.services.get(id);
      assert.ok(service);
      assert.equal(service.id, id);
      assert.equal(service.type, "1");
      assert.deepEqual(service.extensions, extensions);
      assert.equal(service.completed, null);
      assert.equal(service.startedAt, T0);
      const withoutExtensions = await store.services.get(id, { withExtensions: false });
      assert.deepEqual(withoutExtensions, { ...service, extensions: {} });
    });

    it("assigns increasing numeric ids and finds nothing for foreign ids", async () => {
      const a = Number(await store.services.insert(newService()));
      const b = Number(await store.services.insert(newService()));
      assert.ok(b > a);
      for (const foreign of ["abc", "-1", "1.5", "99999999999999999999", "", "383-f9a62aec"]) {
        assert.equal(await store.services.get(foreign), null, foreign);
      }
    });

    it("lists by customer or anonymous contact key, by status, type, time, and the latest N", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(await store.services.insert(newService({ customerId: "L1", type: i % 2, startedAt: T0 + i * 1000 })));
      }
      await store.services.update(present(ids[0], "a service id"), { completed: { timestamp: "x" }, completedAt: T0 + 5000 });
      const anon = await store.services.insert(newService({ customerId: null, contactKey: "K1" }));
      await store.services.insert(newService({ customerId: "L1", contactKey: "K1" }));
      const idsOf = async (q: Parameters<Store["services"]["list"]>[0]) => (await store.services.list(q)).map((s) => s.id);
      assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["0", "1"] }), ids);
      assert.deepEqual(await idsOf({ customerId: "L1", status: "active", types: ["0", "1"] }), ids.slice(1));
      assert.deepEqual(await idsOf({ customerId: "L1", status: "completed" }), [ids[0]]);
      assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["1"] }), [ids[1], ids[3]]);
      assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["0", "1"], latest: 2 }), ids.slice(2));
      assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["0", "1"], startedFrom: T0 + 1000, startedTo: T0 + 3000 }), [ids[1], ids[2]]);
      assert.deepEqual(await idsOf({ customerId: "L1", status: "all", completedFrom: T0 + 5000, completedTo: T0 + 5001 }), [ids[0]]);
      assert.deepEqual(await idsOf({ anonymousContactKey: "K1", status: "all" }), [anon]);
    });

    it("sizes a list before loading it, and loads it without extensions when asked", async () => {
      const started = { timestamp: "2026-01-01T00:00:00.000Z" };
      const extensions = { note: "é".repeat(100) };
      const a = await store.services.insert(newService({ customerId: "SZ", started, extensions, startedAt: T0 }));
      await store.services.insert(newService({ customerId: "SZ", started, extensions, startedAt: T0 + 1 }));
      const one = Buffer.byteLength(JSON.stringify(started)) + Buffer.byteLength(JSON.stringify(extensions));
      assert.equal(await store.services.listBytes({ customerId: "SZ", status: "all" }), 2 * one, "UTF-8 bytes, not characters");
      assert.equal(await store.services.listBytes({ customerId: "SZ", status: "all", latest: 1 }), one);
      assert.equal(await store.services.listBytes({ customerId: "SZ", status: "all", withExtensions: false }), 2 * Buffer.byteLength(JSON.stringify(started)));
      assert.equal(await store.services.listBytes({ customerId: "nobody", status: "all" }), 0);
      const bare = await store.services.list({ customerId: "SZ", status: "all", withExtensions: false });
      assert.deepEqual(
        bare.map((s) => s.extensions),
        [{}, {}],
      );
      assert.deepEqual(bare[0]?.started, started);
      await store.tasks.insert(1, { serviceId: a, type: null, started, extensions, startedAt: T0, stateId: null });
      assert.equal(await store.tasks.bytesForServices([a], "all"), one);
      assert.equal(await store.tasks.bytesForServices([a], "all", false), Buffer.byteLength(JSON.stringify(started)));
      assert.deepEqual(
        (await store.tasks.listForServices([a], "all", false)).map((t) => t.extensions),
        [{}],
      );
      assert.equal(await store.states.bytesForServices([a, "nope"], "active"), 0);
    });

    it("finds the newest active service with exactly the given keys", async () => {
      const older = await store.services.insert(newService({ customerId: "F1", contactKey: null, type: 7, startedAt: T0 }));
      const newer = await store.services.insert(newService({ customerId: "F1", contactKey: null, type: 7, startedAt: T0 + 1 }));
      await store.services.insert(newService({ customerId: "F1", contactKey: "other", type: 7 }));
      assert.equal((await store.services.findActive({ customerId: "F1", contactKey: null, type: 7 }))?.id, newer);
      await store.services.update(newer, { completed: {}, completedAt: T0 + 2 });
      assert.equal((await store.services.findActive({ customerId: "F1", contactKey: null, type: 7 }))?.id, older);
      assert.equal(await store.services.findActive({ customerId: "F1", contactKey: null, type: "7" }), null);
    });

    it("touch moves the auto-complete deadline and the expiry unless pinned", async () => {
      const id = await store.services.insert(newService({ autoCompleteAfter: 60 }));
      const pinned = await store.services.insert(newService({ expiryPinned: true, expiresAt: T0 + 5 }));
      assert.deepEqual(await store.services.dueForAutoComplete(T0 + 60_000, 1000).then((ids) => ids.includes(id)), true);
      assert.equal(await store.services.touch(id, T0 + 30_000, T0 + 999_999), true);
      assert.equal((await store.services.dueForAutoComplete(T0 + 60_000, 1000)).includes(id), false);
      assert.equal((await store.services.dueForAutoComplete(T0 + 90_000, 1000)).includes(id), true);
      assert.equal((await store.services.get(id))?.expiresAt, T0 + 999_999);
      await store.services.touch(pinned, T0 + 1, T0 + 999_999);
      assert.equal((await store.services.get(pinned))?.expiresAt, T0 + 5);
      assert.ok((await store.services.expired(T0 + 6, 1000)).includes(pinned));
      assert.equal(await store.services.touch("123456789012", T0, T0), false);
    });

    it("allocates child ids per service, starting at 1, and nothing for unknown services", async () => {
      const a = await store.services.insert(newService());
      const b = await store.services.insert(newService());
      assert.equal(await store.services.nextStepId(a, "state", T0, T0), 1);
      assert.equal(await store.services.nextStepId(a, "state", T0, T0), 2);
      assert.equal(await store.services.nextStepId(a, "task", T0, T0), 1);
      assert.equal(await store.services.nextStepId(b, "state", T0, T0), 1);
      assert.equal(await store.services.nextStepId("999999999", "task", T0, T0), null);
    });

    it("allocates distinct ids under concurrent transactions", async () => {
      const id = await store.services.insert(newService());
      const ids = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.services.nextStepId(id, "task", T0, T0))));
      assert.equal(new Set(ids).size, 20);
    });

    it("deletes a service with its states and tasks", async () => {
      const id = await store.services.insert(newService());
      await store.states.insert(1, { serviceId: id, type: null, previousStateId: null, started: {}, extensions: {}, startedAt: T0 });
      await store.tasks.insert(1, { serviceId: id, type: null, stateId: 1, started: {}, extensions: {}, startedAt: T0 });
      assert.equal(await store.services.delete(id), true);
      assert.equal(await store.services.get(id), null);
      assert.equal(await store.states.get(id, 1), null);
      assert.equal(await store.tasks.get(id, 1), null);
      assert.equal(await store.services.delete(id), false);
    });
  });

  // Each case reads the service first, in both forms, so a store that keeps reads in memory
  // (SQLite's service cache) holds the old row when the change comes: the read after it must
  // show the change, whichever path made it.
  describe("a read after any change to a service shows the change", () => {
    type Read = Awaited<ReturnType<Store["services"]["get"]>>;
    async function readBoth(id: string): Promise<[Read, Read]> {
      return [await store.services.get(id), await store.services.get(id, { withExtensions: false })];
    }
    /** Inserts a service, reads it, changes it, and checks both forms read after the change. */
    async function changed(change: (id: string) => Promise<unknown>, expect: (s: Read, full: boolean) => void, overrides: Partial<NewService> = {}) {
      const id = await store.services.insert(newService({ customerId: `RC-${Math.random()}`, extensions: { v: 1 }, ...overrides }));
      const [full, bare] = await readBoth(id);
      assert.deepEqual(full?.extensions, { v: 1 });
      assert.deepEqual(bare?.extensions, {});
      await change(id);
      const after = await readBoth(id);
      expect(after[0], true);
      expect(after[1], false);
    }

    it("update, in every field", async () => {
      await changed(
        (id) => store.services.update(id, { completed: { done: true }, completedAt: T0 + 1, customerId: "RC-other", extensions: { v: 2 } }),
        (s) => {
          assert.deepEqual(s?.completed, { done: true });
          assert.equal(s?.customerId, "RC-other");
        },
      );
      await changed(
        (id) => store.services.update(id, { extensions: { v: 2 } }),
        (s, full) => assert.deepEqual(s?.extensions, full ? { v: 2 } : {}),
      );
    });

    it("touch and child ids", async () => {
      await changed(
        (id) => store.services.touch(id, T0 + 5, T0 + 777),
        (s) => assert.equal(s?.expiresAt, T0 + 777),
      );
      await changed(
        (id) => store.services.nextStepId(id, "state", T0 + 6, T0 + 888),
        (s) => assert.equal(s?.updatedAt, T0 + 6),
      );
    });

    it("delete, purge and erasure", async () => {
      await changed(
        (id) => store.services.delete(id),
        (s) => assert.equal(s, null),
      );
      const longAgo = T0 - 10 * 365 * 86_400_000;
      await changed(
        () => store.services.purge({ startedBefore: longAgo + 1, which: "all", anonymousOnly: false }, 100_000),
        (s) => assert.equal(s, null),
        { startedAt: longAgo },
      );
      let customer = "";
      await changed(
        async (id) => {
          customer = (await store.services.get(id))?.customerId ?? "";
          return store.services.deleteByCustomer(customer);
        },
        (s) => assert.equal(s, null),
      );
    });

    it("merge", async () => {
      await changed(
        async (id) => store.services.reassignCustomer((await store.services.get(id))?.customerId ?? "", "RC-merged"),
        (s) => assert.equal(s?.customerId, "RC-merged"),
      );
    });

    it("inside a transaction, seen once it commits and never if it rolls back", async () => {
      await changed(
        (id) => store.transaction((tx) => tx.services.update(id, { customerId: "RC-tx" })),
        (s) => assert.equal(s?.customerId, "RC-tx"),
      );
      await changed(
        (id) =>
          store
            .transaction(async (tx) => {
              await tx.services.update(id, { customerId: "RC-rolled-back" });
              assert.equal((await tx.services.get(id))?.customerId, "RC-rolled-back", "the transaction sees its own write");
              throw new Error("roll back");
            })
            .catch(() => undefined),
        (s) => assert.match(s?.customerId ?? "", /^RC-0\./),
      );
    });
  });
}

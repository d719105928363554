/** Customer profiles: identification keys, erasure and merge with their services and history. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { UniqueViolation } from "../../../src/store/store.ts";
import { T0, newService, newInteraction } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function customersContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("customers", () => {
    it("inserts, refuses a taken id, updates and identifies by every key", async () => {
      const customer = { id: "CUST1", attributes: { LastName: "Doe" }, extensions: {}, createdAt: T0, updatedAt: T0 };
      await store.customers.insert(customer, [
        { name: "LastName", value: "Doe" },
        { name: "Email", value: "a@b" },
      ]);
      await store.customers.insert({ ...customer, id: "CUST2" }, [{ name: "LastName", value: "Doe" }]);
      await assert.rejects(store.customers.insert(customer, []), UniqueViolation);
      assert.deepEqual(await store.customers.identify([{ name: "LastName", value: "Doe" }], 10), ["CUST1", "CUST2"]);
      assert.deepEqual(
        await store.customers.identify(
          [
            { name: "LastName", value: "Doe" },
            { name: "Email", value: "a@b" },
          ],
          10,
        ),
        ["CUST1"],
      );
      assert.deepEqual(await store.customers.identify([{ name: "LastName", value: "Doe" }], 1), ["CUST1"]);
      await store.customers.update({ ...customer, attributes: { LastName: "Roe" }, updatedAt: T0 + 1 }, [{ name: "LastName", value: "Roe" }]);
      assert.deepEqual((await store.customers.get("CUST1"))?.attributes, { LastName: "Roe" });
      assert.deepEqual(await store.customers.identify([{ name: "Email", value: "a@b" }], 10), []);
      assert.equal(await store.customers.get("nobody"), null);
    });

    it("erases and reassigns a customer's services and history (erasure, merge)", async () => {
      const customer = { id: "GONE", attributes: {}, extensions: {}, createdAt: T0, updatedAt: T0 };
      await store.customers.insert(customer, [{ name: "Email", value: "gone@x" }]);
      const doomed = await store.services.insert(newService({ customerId: "GONE" }));
      const moved = await store.services.insert(newService({ customerId: "FROM" }));
      await store.states.insert(1, { serviceId: doomed, type: "s", started: {}, extensions: {}, startedAt: T0, previousStateId: null });
      await store.history.insert(newInteraction("IXGONE", { customerId: "GONE" }));
      await store.history.insert(newInteraction("IXFROM", { customerId: "FROM" }));
      assert.equal(await store.services.deleteByCustomer("GONE"), 1);
      assert.equal(await store.services.get(doomed), null);
      assert.deepEqual(await store.states.list(doomed, { status: "all" }), []);
      assert.equal(await store.history.deleteByCustomer("GONE"), 1);
      assert.equal(await store.history.get("IXGONE"), null);
      assert.equal(await store.customers.delete("GONE"), true);
      assert.equal(await store.customers.delete("GONE"), false);
      assert.deepEqual(await store.customers.identify([{ name: "Email", value: "gone@x" }], 10), []);
      assert.equal(await store.services.reassignCustomer("FROM", "TO"), 1);
      assert.equal((await store.services.get(moved))?.customerId, "TO");
      assert.equal(await store.history.reassignCustomer("FROM", "TO"), 1);
      assert.equal((await store.history.get("IXFROM"))?.customerId, "TO");
    });
  });
}

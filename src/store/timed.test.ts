import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteStore } from "./sqlite.ts";
import { operationLabel, timedStore } from "./timed.ts";

describe("timedStore", () => {
  it("times every call, on the root store and in each transaction, and answers as the store does", async () => {
    const inner = await openSqliteStore({ path: ":memory:", synchronous: "normal" });
    const seen = new Map<string, number>();
    const store = timedStore(inner, (operation) => () => seen.set(operation, (seen.get(operation) ?? 0) + 1));
    const service = {
      customerId: "T1",
      contactKey: null,
      type: null,
      started: {},
      extensions: {},
      startedAt: 0,
      updatedAt: 0,
      autoCompleteAfter: null,
      expiresAt: 1,
      expiryPinned: false,
    };
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await store.transaction((tx) => tx.services.insert(service)));
    assert.equal(new Set(ids).size, 3);
    const [first] = ids;
    assert.ok(first !== undefined);
    assert.equal((await store.services.get(first))?.customerId, "T1");
    await assert.rejects(store.transaction((tx) => tx.services.update("1", { customerId: "T2" }).then(() => Promise.reject(new Error("no")))));
    assert.equal((await store.services.get("1"))?.customerId, "T1");
    assert.equal(seen.get("services.insert"), 3);
    assert.equal(seen.get("services.get"), 2);
    assert.equal(seen.get("services.update"), 1);
    await store.close();
  });

  it("times every method of every aggregate the store has, each under <aggregate>.<method>", async () => {
    const inner = await openSqliteStore({ path: ":memory:", synchronous: "normal" });
    // The aggregates are read from the real store, not from the timed one: one it did not time
    // (a new aggregate) fails here. Each method of each is replaced on the instance by a stub
    // answering its own label, so every one can be called without arguments.
    const aggregates = Object.entries(inner).filter(([, value]) => /^Sql\w+Store$/.test(value?.constructor?.name ?? ""));
    assert.ok(aggregates.length >= 12, aggregates.map(([name]) => name).join());
    const expected: string[] = [];
    for (const [name, aggregate] of aggregates) {
      for (const method of methodsOf(aggregate)) {
        const label = operationLabel(name, method);
        expected.push(label);
        Object.defineProperty(aggregate, method, { value: async () => label });
      }
    }
    const seen: string[] = [];
    const store = timedStore(inner, (operation) => () => seen.push(operation));
    for (const [name, aggregate] of aggregates) {
      const timed = (store as unknown as Record<string, Record<string, () => Promise<unknown>> | undefined>)[name];
      assert.ok(timed !== undefined && timed !== aggregate, `${name} is timed`);
      for (const method of methodsOf(aggregate)) assert.equal(await timed[method]?.(), operationLabel(name, method));
    }
    assert.deepEqual(seen.sort(), expected.sort());
    await store.close();
  });

  it("labels renamed operations as they were published: contact history as interactions, step ids as nextChildId", async () => {
    const inner = await openSqliteStore({ path: ":memory:", synchronous: "normal" });
    const seen: string[] = [];
    const store = timedStore(inner, (operation) => () => seen.push(operation));
    assert.equal(await store.history.get("nope"), null);
    assert.equal(await store.services.nextStepId("1", "state", 0, 1), null);
    assert.deepEqual(seen, ["interactions.get", "services.nextChildId"]);
    await store.close();
  });
});

/** The methods an aggregate has through its classes. */
function methodsOf(aggregate: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(aggregate); proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== "constructor") names.add(name);
  }
  return [...names];
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteStore } from "./sqlite.ts";
import { timedStore } from "./timed.ts";

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
    assert.equal((await store.services.get(ids[0]!))?.customerId, "T1");
    await assert.rejects(store.transaction((tx) => tx.services.update("1", { customerId: "T2" }).then(() => Promise.reject(new Error("no")))));
    assert.equal((await store.services.get("1"))?.customerId, "T1");
    assert.equal(seen.get("services.insert"), 3);
    assert.equal(seen.get("services.get"), 2);
    assert.equal(seen.get("services.update"), 1);
    await store.close();
  });
});

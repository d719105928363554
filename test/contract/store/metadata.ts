/** Context Services metadata: extension schemas and identification keys. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function metadataContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("metadata", () => {
    it("keeps schemas by kind and case-insensitive name, oldest first, once each", async () => {
      assert.equal(await store.metadata.insert("extension", "Phones", { name: "Phones", unique: ["t"] }, T0), true);
      assert.equal(await store.metadata.insert("extension", "PHONES", { name: "PHONES" }, T0 + 1), false);
      assert.equal(await store.metadata.insert("identification-key", "Phones", { name: "Phones" }, T0 + 2), true);
      assert.equal(await store.metadata.insert("extension", "Cards", { name: "Cards" }, T0 + 3), true);
      assert.deepEqual((await store.metadata.get("extension", "phones"))?.body, { name: "Phones", unique: ["t"] });
      assert.deepEqual(
        (await store.metadata.list("extension")).map((m) => m.body.name),
        ["Phones", "Cards"],
      );
      assert.equal(await store.metadata.delete("extension", "PHONES"), true);
      assert.equal(await store.metadata.delete("extension", "Phones"), false);
      assert.equal(await store.metadata.get("extension", "Phones"), null);
      assert.notEqual(await store.metadata.get("identification-key", "phones"), null);
    });
  });
}

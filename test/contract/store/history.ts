/** Contact history: record, read, list, content, retention. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { T0, newInteraction } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function historyContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("interactions", () => {
    it("records, reads, lists and serves content", async () => {
      const content = {
        plainText: "hi",
        structuredText: "<x/>",
        structuredTextMime: "text/xml",
        binaryContent: new Uint8Array([1, 2, 3]),
        binaryContentMime: "image/png",
      };
      await store.history.insert(newInteraction("IXN1", { content, serviceId: "7", udata: { k: "v" } }));
      await store.history.insert(newInteraction("IXN0", { startDate: T0 - 1 }));
      const ixn = await store.history.get("IXN1");
      assert.deepEqual(ixn?.contents, ["plain_text", "structured_text", "binary_content"]);
      assert.deepEqual(ixn?.udata, { k: "v" });
      assert.equal(ixn?.structuredTextMime, "text/xml");
      assert.deepEqual(
        (await store.history.listByCustomer("C1", 10)).map((i) => i.id),
        ["IXN0", "IXN1"],
      );
      assert.deepEqual(
        (await store.history.listByService("7", 10)).map((i) => i.id),
        ["IXN1"],
      );
      assert.deepEqual(await store.history.content("IXN1", "plain_text"), { body: "hi", mime: "text/plain; charset=utf-8" });
      const binary = await store.history.content("IXN1", "binary_content");
      assert.deepEqual(new Uint8Array(binary?.body as Uint8Array), new Uint8Array([1, 2, 3]));
      assert.equal(binary?.mime, "image/png");
      assert.equal(await store.history.content("IXN0", "plain_text"), null);
      assert.equal(await store.history.get("nope"), null);
    });

    it("deletes history that started before a time, oldest first, at most a batch", async () => {
      for (const [id, start] of [
        ["OLD1", T0 - 3_000_000],
        ["OLD2", T0 - 2_000_000],
        ["OLD3", T0 - 1_000_000],
        ["NEW1", T0 - 100_000],
      ] as const) {
        await store.history.insert(
          newInteraction(id, {
            startDate: start,
            content: { plainText: "x", structuredText: null, structuredTextMime: null, binaryContent: null, binaryContentMime: null },
          }),
        );
      }
      const cutoff = T0 - 500_000;
      assert.equal(await store.history.deleteStartedBefore(cutoff, 2), 2);
      assert.equal(await store.history.get("OLD1"), null);
      assert.equal(await store.history.get("OLD2"), null);
      assert.notEqual(await store.history.get("OLD3"), null);
      assert.equal(await store.history.deleteStartedBefore(cutoff, 10), 1);
      assert.notEqual(await store.history.get("NEW1"), null);
      assert.equal(await store.history.content("OLD3", "plain_text"), null);
    });
  });
}

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { describe, it } from "node:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./store.contract.ts";

storeContract("sqlite (file)", () => openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "parley-contract-")), "c.db"), synchronous: "normal" }));
storeContract("sqlite (memory)", () => openSqliteStore({ path: ":memory:", synchronous: "normal" }));
storeContract("sqlite (memory, no service cache)", () => openSqliteStore({ path: ":memory:", synchronous: "normal", serviceCacheBytes: 0 }));

describe("sqlite service cache", () => {
  const started = { timestamp: "2026-01-01T00:00:00.000Z" };
  const service = {
    customerId: "C1",
    contactKey: null,
    type: null,
    started,
    extensions: { a: { b: 1 } },
    startedAt: 0,
    updatedAt: 0,
    autoCompleteAfter: null,
    expiresAt: 1,
    expiryPinned: false,
  };

  it("shares a read service, frozen, with the next reader", async () => {
    const store = await openSqliteStore({ path: ":memory:", synchronous: "normal" });
    const id = await store.services.insert(service);
    const first = await store.services.get(id);
    assert.equal(await store.services.get(id), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first?.extensions.a));
    await store.close();
  });

  it("keeps nothing with no memory given to it", async () => {
    const store = await openSqliteStore({ path: ":memory:", synchronous: "normal", serviceCacheBytes: 0 });
    const id = await store.services.insert(service);
    const first = await store.services.get(id);
    assert.notEqual(await store.services.get(id), first);
    assert.equal(Object.isFrozen(first), false);
    await store.close();
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Service } from "../../domain/journeys.ts";
import { ServiceCache } from "./service-cache.ts";

function service(id: string, extensions: Service["extensions"] = {}): Service {
  return {
    id,
    customerId: "C1",
    contactKey: null,
    type: "support",
    started: { timestamp: "2026-01-01T00:00:00.000Z" },
    completed: null,
    extensions,
    startedAt: 0,
    completedAt: null,
    updatedAt: 0,
    autoCompleteAfter: null,
    expiresAt: 1,
    expiryPinned: false,
  };
}

describe("service cache", () => {
  it("keeps each form of a service apart, and forgets both when the row changes", () => {
    const cache = new ServiceCache(1024 * 1024);
    const full = service("1", { a: 1 });
    const bare = service("1");
    cache.keep(full, true, 100, cache.token());
    cache.keep(bare, false, 80, cache.token());
    assert.equal(cache.get("1", true), full);
    assert.equal(cache.get("1", false), bare);
    assert.equal(cache.get("2", true), undefined);
    cache.forget("1");
    assert.equal(cache.get("1", true), undefined);
    assert.equal(cache.get("1", false), undefined);
    assert.deepEqual(cache.size, { bytes: 0, entries: 0 });
  });

  it("refuses a read that a change to any service overtook", () => {
    const cache = new ServiceCache(1024 * 1024);
    const token = cache.token();
    cache.forget("7");
    cache.keep(service("1"), true, 100, token);
    assert.equal(cache.get("1", true), undefined);
    cache.keep(service("1"), true, 100, cache.token());
    assert.ok(cache.get("1", true));
  });

  it("stays within its bytes, dropping first the oldest not read lately", () => {
    const limit = 64 * 1024;
    const cache = new ServiceCache(limit);
    for (let i = 0; i < 1000; i++) {
      cache.keep(service(String(i)), true, 100, cache.token());
      if (i === 10) assert.ok(cache.get("0", true), "the first is still kept");
      cache.get("0", true); // used all along: never the one dropped
      assert.ok(cache.size.bytes <= limit, `${cache.size.bytes} bytes held`);
    }
    assert.ok(cache.get("0", true));
    assert.equal(cache.get("1", true), undefined);
    assert.ok(cache.get("999", true));
    assert.ok(cache.size.entries < 1000 && cache.size.entries > 50, `${cache.size.entries} kept`);
  });

  it("does not keep a service larger than its share of the budget", () => {
    const cache = new ServiceCache(64 * 1024);
    cache.keep(service("1"), true, 10_000, cache.token());
    assert.equal(cache.get("1", true), undefined);
    assert.deepEqual(cache.size, { bytes: 0, entries: 0 });
  });

  it("hands out frozen services, deep, so no caller can change what another reads", () => {
    const cache = new ServiceCache(1024 * 1024);
    cache.keep(service("1", { cart: { items: [1, 2] } }), true, 100, cache.token());
    const kept = cache.get("1", true);
    assert.ok(kept);
    assert.throws(() => {
      (kept as { customerId: string | null }).customerId = "OTHER";
    }, TypeError);
    assert.throws(() => {
      ((kept.extensions.cart as { items: number[] }).items as number[]).push(3);
    }, TypeError);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter } from "./rate-limit.ts";

function clock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe("RateLimiter", () => {
  it("allows a burst, then says how long until the next request, and refills continuously", () => {
    const c = clock();
    const limiter = RateLimiter.perMinute(3, c.now);
    assert.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
    assert.equal(limiter.take("a"), 20_000, "one request a 20 s at 3 a minute");
    assert.equal(limiter.take("b"), 0, "keys are separate");
    c.advance(20_000);
    assert.equal(limiter.peek("a"), 0);
    assert.equal(limiter.take("a"), 0);
    assert.equal(limiter.take("a"), 20_000);
  });

  it("0 a minute limits nothing", () => {
    const limiter = RateLimiter.perMinute(0, clock().now);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.take("a"), 0);
    assert.equal(limiter.enabled, false);
    assert.equal(limiter.size, 0);
  });

  it("a full table forgets refilled buckets only: flooding it with new keys never resets a draining one", () => {
    const c = clock();
    const limiter = RateLimiter.perMinute(2, c.now, 10);
    limiter.take("victim");
    limiter.take("victim");
    for (let i = 0; i < 100; i++) limiter.take(`flood${i}`);
    assert.ok(limiter.size <= 10);
    assert.ok(limiter.take("victim") > 0, "the victim's bucket survived the flood");
    // New keys past the table share one bucket: the flood limits the flooders.
    assert.ok(limiter.take("flood-new") > 0);
  });

  it("once buckets have refilled, a full table makes room again", () => {
    const c = clock();
    const limiter = RateLimiter.perMinute(2, c.now, 5);
    for (let i = 0; i < 5; i++) limiter.take(`k${i}`);
    c.advance(60_000);
    assert.equal(limiter.take("new"), 0);
    assert.ok(limiter.size <= 5);
    assert.equal(limiter.take("new"), 0);
    assert.ok(limiter.take("new") > 0, "the new key has a bucket of its own");
  });

  it("gives back a request that turned out not to count, never past the burst", () => {
    const limiter = RateLimiter.perMinute(2, clock().now);
    limiter.take("a");
    limiter.take("a");
    assert.ok(limiter.take("a") > 0);
    limiter.refund("a");
    assert.equal(limiter.take("a"), 0);
    limiter.refund("a");
    limiter.refund("a");
    limiter.refund("a");
    assert.deepEqual([limiter.take("a"), limiter.take("a")], [0, 0]);
    assert.ok(limiter.take("a") > 0, "refunds fill the bucket up to its size only");
  });
});

describe("RateLimiter.spend", () => {
  it("spends what was received, going into debt, and says how long until the debt is paid", () => {
    const c = clock();
    const limiter = new RateLimiter({ burst: 100, refillMs: 1000, now: c.now });
    assert.equal(limiter.spend("socket", 60), 0);
    assert.equal(limiter.spend("socket", 90), 500, "50 owed at 100 a second");
    c.advance(500);
    assert.equal(limiter.spend("socket", 0), 0);
  });
});

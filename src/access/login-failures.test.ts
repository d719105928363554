import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FailureLog } from "./login-failures.ts";

const WINDOW = 15 * 60_000;

function clock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function failTimes(log: FailureLog, name: string, times: number): void {
  for (let i = 0; i < times; i++) log.record(name);
}

describe("FailureLog", () => {
  it("slows a name down after three failures, doubling up to 5 s, and forgets it a window after its last failure", () => {
    const c = clock();
    const log = new FailureLog({ maxNames: 100, windowMs: WINDOW, now: c.now });
    failTimes(log, "ada", 3);
    assert.equal(log.delayMs("ada"), 100);
    log.record("ada");
    assert.equal(log.delayMs("ada"), 200);
    failTimes(log, "ada", 10);
    assert.equal(log.delayMs("ada"), 5000);
    c.advance(WINDOW - 1);
    log.record("ada");
    c.advance(WINDOW - 1);
    assert.equal(log.count("ada"), 15, "the window runs from the last failure: steady guessing never resets it");
    c.advance(2);
    assert.equal(log.count("ada"), 0);
    log.record("ada");
    assert.equal(log.count("ada"), 1);
  });

  it("a success clears the name", () => {
    const log = new FailureLog({ maxNames: 100, windowMs: WINDOW, now: clock().now });
    failTimes(log, "ada", 5);
    log.clear("ada");
    assert.equal(log.count("ada"), 0);
  });

  it("flooding a full table with junk names never erases a target's back-off", () => {
    const c = clock();
    const log = new FailureLog({ maxNames: 10, windowMs: WINDOW, now: c.now });
    failTimes(log, "target", 6);
    for (let i = 0; i < 1000; i++) log.record(`junk${i}`);
    assert.equal(log.size, 10);
    assert.equal(log.count("target"), 6);
    assert.equal(log.delayMs("target"), 800);
  });

  it("a full table drops expired names first, then a name with one failure, never one with more", () => {
    const c = clock();
    const log = new FailureLog({ maxNames: 3, windowMs: WINDOW, now: c.now });
    failTimes(log, "old", 5);
    c.advance(WINDOW + 1);
    failTimes(log, "two", 2);
    log.record("one");
    log.record("newcomer");
    assert.equal(log.count("old"), 0, "expired: forgotten first");
    assert.deepEqual(
      ["two", "one", "newcomer"].map((n) => log.count(n)),
      [2, 1, 1],
    );
    log.record("later");
    assert.equal(log.count("one"), 0, "the longest remembered name with one failure made room");
    assert.deepEqual(
      ["two", "newcomer", "later"].map((n) => log.count(n)),
      [2, 1, 1],
    );
  });

  it("when every slot holds a name with more failures, newcomers share one overflow count", () => {
    const c = clock();
    const log = new FailureLog({ maxNames: 3, windowMs: WINDOW, now: c.now });
    for (const name of ["a", "b", "c"]) failTimes(log, name, 2);
    for (let i = 0; i < 5; i++) log.record(`fresh${i}`);
    assert.equal(log.size, 3);
    assert.deepEqual(
      ["a", "b", "c"].map((n) => log.count(n)),
      [2, 2, 2],
    );
    assert.equal(log.count("fresh0"), 5, "names without a slot share the overflow's failures");
    assert.equal(log.delayMs("another"), 400, "so the flood slows down every guess without a slot");
    c.advance(WINDOW + 1);
    assert.equal(log.count("fresh0"), 0);
    log.record("fresh0");
    assert.equal(log.count("fresh0"), 1, "expired names made room again");
  });
});

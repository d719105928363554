import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueueStatisticsPush } from "./queue-statistics-push.ts";
import type { Timers } from "./supervisor-changes.ts";

function fakeTimers() {
  let now = 0;
  const due: Array<{ at: number; run: () => void }> = [];
  const timers: Timers = {
    now: () => now,
    setTimeout(run, ms) {
      const timer = { at: now + ms, run };
      due.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      due.splice(due.indexOf(handle as (typeof due)[number]), 1);
    },
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const timer of due.filter((t) => t.at <= now)) {
        due.splice(due.indexOf(timer), 1);
        timer.run();
      }
    },
  };
}

/** A push that should not fail. */
const unexpected = (err: unknown) => assert.fail(String(err));

/** Lets promise callbacks run (a push's settlement). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A push the test finishes by hand, like a slow database read. */
function heldPushes() {
  const finishers: Array<() => void> = [];
  return {
    started: () => finishers.length,
    push: () => new Promise<void>((resolve) => finishers.push(resolve)),
    finish: async (i: number) => {
      finishers[i]?.();
      await settled();
    },
  };
}

describe("queue statistics pushes", () => {
  it("push at once after a quiet spell, then at most once per interval, the last change always", async () => {
    const clock = fakeTimers();
    let pushes = 0;
    const push = new QueueStatisticsPush(async () => void pushes++, unexpected, 2000, clock.timers);
    push.note();
    assert.equal(pushes, 1);
    await settled();
    for (let i = 0; i < 50; i++) push.note();
    assert.equal(pushes, 1, "coalesced within the interval");
    clock.advance(2000);
    assert.equal(pushes, 2, "the changes of the interval, pushed at its end");
    clock.advance(10_000);
    assert.equal(pushes, 2, "nothing changed: nothing pushed");
  });

  it("never read twice at once: a change during a slow push is pushed once it is done", async () => {
    const clock = fakeTimers();
    const held = heldPushes();
    const push = new QueueStatisticsPush(held.push, unexpected, 2000, clock.timers);
    push.note();
    clock.advance(2000);
    push.note();
    clock.advance(2000);
    assert.equal(held.started(), 1, "the second waits for the first");
    await held.finish(0);
    assert.equal(held.started(), 2);
  });

  it("a failed push is reported, and the next change pushes again", async () => {
    const clock = fakeTimers();
    const failures: unknown[] = [];
    let calls = 0;
    const push = new QueueStatisticsPush(
      async () => {
        calls++;
        if (calls === 1) throw new Error("database away");
      },
      (err) => failures.push(err),
      2000,
      clock.timers,
    );
    push.note();
    await settled();
    assert.equal(failures.length, 1);
    clock.advance(2000);
    push.note();
    assert.equal(calls, 2);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SupervisedView } from "../wire/agent-api.ts";
import { SupervisorChanges, type Timers } from "./supervisor-changes.ts";

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

describe("supervisor notices, coalesced", () => {
  it("tells the first change at once, then at most one notice per interval, the last change in a trailing one", () => {
    const clock = fakeTimers();
    const sent: SupervisedView[][] = [];
    const changes = new SupervisorChanges((changed) => sent.push(changed.sort()), 250, clock.timers);
    changes.note(["agents"]);
    assert.deepEqual(sent, [["agents"]]);
    for (let i = 0; i < 200; i++) {
      changes.note(["queues"]);
      clock.advance(1);
    }
    changes.note(["agents"]);
    // 200 ms in: nothing more yet.
    assert.equal(sent.length, 1);
    clock.advance(50);
    assert.deepEqual(sent, [["agents"], ["agents", "queues"]]);
    // Quiet again: nothing pending, nothing sent.
    clock.advance(1000);
    assert.equal(sent.length, 2);
    changes.note(["queues"]);
    assert.deepEqual(sent.at(-1), ["queues"]);
  });

  it("sends nothing once closed", () => {
    const clock = fakeTimers();
    const sent: SupervisedView[][] = [];
    const changes = new SupervisorChanges((changed) => sent.push(changed), 250, clock.timers);
    changes.note(["agents"]);
    changes.note(["queues"]);
    changes.close();
    clock.advance(1000);
    changes.note(["agents"]);
    assert.deepEqual(sent, [["agents"]]);
  });
});

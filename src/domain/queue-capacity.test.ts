import assert from "node:assert/strict";
import { test } from "node:test";
import { estimatedWaitSeconds, isFull, queueFullMessage } from "./queue-capacity.ts";
import { defaultPolicy } from "./queue-policy.ts";

test("isFull: only a queue with maxWaiting fills, at maxWaiting waiting", () => {
  assert.equal(isFull(defaultPolicy("q"), 1_000_000), false);
  const small = { ...defaultPolicy("q"), maxWaiting: 2 };
  assert.deepEqual([isFull(small, 1), isFull(small, 2), isFull(small, 3)], [false, true, true]);
  assert.equal(isFull({ ...defaultPolicy("q"), maxWaiting: 0 }, 0), true, "0: the queue takes no chats");
});

test("estimatedWaitSeconds: the place in line shared among the serving agents, a handle time per round", () => {
  // 60 s handle time; 3 agents: places 1-3 in the first round, 4-6 in the second.
  assert.equal(estimatedWaitSeconds(1, 3, 60_000), 60);
  assert.equal(estimatedWaitSeconds(3, 3, 60_000), 60);
  assert.equal(estimatedWaitSeconds(4, 3, 60_000), 120);
  assert.equal(estimatedWaitSeconds(7, 3, 60_000), 180);
  // Nobody Ready: as if one agent served the queue.
  assert.equal(estimatedWaitSeconds(2, 0, 45_000), 90);
  // Rounded up to whole seconds.
  assert.equal(estimatedWaitSeconds(1, 1, 1_500), 2);
  assert.equal(estimatedWaitSeconds(1, 1, null), null, "no measured handle time");
});

test("queueFullMessage names the queue, how many wait and the estimate", () => {
  assert.equal(queueFullMessage("sales", 5, 120), "queue sales is full (5 waiting): try again later; the estimated wait is 120 seconds");
  assert.equal(queueFullMessage("sales", 5, null), "queue sales is full (5 waiting): try again later");
});

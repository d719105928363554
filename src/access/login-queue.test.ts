import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LoginQueue } from "./login-queue.ts";

/** A piece of work the test ends by hand, recording when it started. */
function held(log: string[], name: string) {
  let end = () => {};
  const done = new Promise<void>((resolve) => (end = resolve));
  return {
    end: () => end(),
    work: async () => {
      log.push(name);
      await done;
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("LoginQueue slots", () => {
  it("an attempt from an address without recent failures goes ahead of the flood's for the next slot", async () => {
    const queue = new LoginQueue({ running: 1, maxWaiting: 10, maxPerKey: 4 });
    const log: string[] = [];
    const running = held(log, "running");
    const flood1 = held(log, "flood1");
    const flood2 = held(log, "flood2");
    const agent = held(log, "agent");
    const all = [queue.withSlot("a", running.work), queue.withSlot("b", flood1.work), queue.withSlot("c", flood2.work), queue.withSlot("d", agent.work, true)];
    await turn();
    assert.deepEqual(log, ["running"]);
    running.end();
    await turn();
    assert.deepEqual(log, ["running", "agent"], "the clean attempt takes the freed slot");
    for (const w of [agent, flood1, flood2]) {
      w.end();
      await turn();
    }
    await Promise.all(all);
    assert.deepEqual(log, ["running", "agent", "flood1", "flood2"]);
  });

  it("a guess on a name waiting at the back of the line does not hold up its owner's clean attempt", async () => {
    const queue = new LoginQueue({ running: 1, maxWaiting: 10, maxPerKey: 4 });
    const log: string[] = [];
    const running = held(log, "running");
    const guess = held(log, "guess");
    const owner = held(log, "owner");
    const all = [queue.withSlot("x", running.work), queue.withSlot("agent1", guess.work), queue.withSlot("agent1", owner.work, true)];
    await turn();
    running.end();
    await turn();
    assert.deepEqual(log, ["running", "owner"]);
    owner.end();
    await turn();
    guess.end();
    await Promise.all(all);
    assert.deepEqual(log, ["running", "owner", "guess"]);
  });

  it("one scrypt at a time per name, whatever else is free", async () => {
    const queue = new LoginQueue({ running: 4, maxWaiting: 10, maxPerKey: 4 });
    const log: string[] = [];
    const one = held(log, "one");
    const two = held(log, "two");
    const other = held(log, "other");
    const all = [queue.withSlot("ann", one.work), queue.withSlot("ann", two.work), queue.withSlot("bob", other.work)];
    await turn();
    assert.deepEqual(log.sort(), ["one", "other"]);
    one.end();
    await turn();
    assert.ok(log.includes("two"));
    two.end();
    other.end();
    await Promise.all(all);
  });
});

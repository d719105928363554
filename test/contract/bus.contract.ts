/** The bus contract, run for the in-memory bus (always) and Redis (when TEST_REDIS_URL is set). */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { describeWith } from "../support/suites.ts";
import type { Bus, BusEnvelope } from "../../src/bus/bus.ts";

/** `open` returns two nodes' buses connected to the same medium. */
export function busContract(name: string, open: () => Promise<[Bus, Bus]>, skip: string | false = false): void {
  describeWith(`bus contract: ${name}`, skip, () => {
    let a: Bus;
    let b: Bus;
    before(async () => {
      [a, b] = await open();
    });
    after(async () => {
      await a?.close();
      await b?.close();
    });

    function collect(bus: Bus, topic: string) {
      const got: BusEnvelope[] = [];
      const waiters: (() => void)[] = [];
      const ready = bus.subscribe(topic, (e) => {
        got.push(e);
        for (const w of waiters.splice(0)) w();
      });
      const until = (n: number) =>
        new Promise<BusEnvelope[]>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`timed out with ${got.length} of ${n}`)), 5000);
          const check = () => {
            if (got.length >= n) {
              clearTimeout(timer);
              resolve(got);
            } else waiters.push(check);
          };
          check();
        });
      return { got, ready, until };
    }

    it("delivers to every subscriber of the topic, on every node, JSON round-tripped, in order", async () => {
      const onA = collect(a, "t1");
      const onB = collect(b, "t1");
      await Promise.all([onA.ready, onB.ready]);
      for (let i = 0; i < 50; i++) await a.publish("t1", { origin: "node-a", payload: { i, nested: { ok: true } } });
      const [fromA, fromB] = await Promise.all([onA.until(50), onB.until(50)]);
      for (const got of [fromA, fromB]) {
        assert.deepEqual(
          got.map((e) => (e.payload as { i: number }).i),
          Array.from({ length: 50 }, (_, i) => i),
        );
        assert.equal(got[0]?.origin, "node-a");
      }
    });

    it("keeps topics apart and stops after unsubscribe", async () => {
      const other = collect(b, "t2");
      const unsubscribe = await other.ready;
      const witness = collect(b, "t3");
      await witness.ready;
      await a.publish("t3", { origin: "x", payload: 1 });
      await witness.until(1);
      assert.equal(other.got.length, 0);
      await unsubscribe();
      await a.publish("t2", { origin: "x", payload: 2 });
      await a.publish("t3", { origin: "x", payload: 3 });
      await witness.until(2);
      assert.equal(other.got.length, 0);
    });
  });
}

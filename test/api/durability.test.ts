/**
 * A 2xx means committed: the server is killed with SIGKILL in the middle of a stream of writes,
 * restarted on the same database, and every write it acknowledged must be there.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnServer } from "../support/process.ts";

const WRITERS = 8;
const KILL_AFTER_ACKS = 300;

interface Ack {
  serviceId: number;
  taskId?: number;
}

describe("durability", () => {
  it("keeps every acknowledged write through kill -9", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-kill-"));
    const env = { DATABASE_URL: `sqlite:${join(dir, "parley.db")}` };
    try {
      const first = await spawnServer(env);
      const cs = `${first.url}/genesys/1/cs`;
      const acks: Ack[] = [];
      let killed = false;
      const writer = async (n: number) => {
        for (let i = 0; !killed; i++) {
          try {
            const res = await fetch(`${cs}/services/start`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ customer_id: `W${n}`, Seq: { i } }),
            });
            if (res.status !== 201) continue;
            const ack: Ack = { serviceId: ((await res.json()) as { service_id: number }).service_id };
            acks.push(ack);
            const task = await fetch(`${cs}/services/${ack.serviceId}/tasks/start`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ task_type: "t" }),
            });
            if (task.status === 201) ack.taskId = ((await task.json()) as { task_id: number }).task_id;
          } catch {
            return; // the connection died with the process
          }
          if (acks.length >= KILL_AFTER_ACKS && !killed) {
            killed = true;
            first.child.kill("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(n)));
      await first.exited;
      assert.ok(acks.length >= KILL_AFTER_ACKS);

      const second = await spawnServer(env);
      try {
        const cs2 = `${second.url}/genesys/1/cs`;
        for (const ack of acks) {
          const service = await fetch(`${cs2}/services/${ack.serviceId}`);
          assert.equal(service.status, 200, `service ${ack.serviceId} was acknowledged`);
          if (ack.taskId === undefined) continue;
          const task = await fetch(`${cs2}/services/${ack.serviceId}/tasks/${ack.taskId}`);
          assert.equal(task.status, 200, `task ${ack.serviceId}/${ack.taskId} was acknowledged`);
        }
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

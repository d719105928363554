/**
 * SQLite's online backup (sqlite.ts): a copy is the committed state even when a transaction is
 * open across event-loop turns as it starts; one at a time; never over an existing file.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { openSqliteStore } from "./sqlite.ts";
import { BackupRefused } from "./store.ts";

const dir = mkdtempSync(join(tmpdir(), "parley-backup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const queue = (name: string) => ({ name, skills: [], createdAt: 1 });

async function queuesIn(path: string): Promise<string[]> {
  const copy = await openSqliteStore({ path, synchronous: "normal" });
  try {
    return (await copy.queues.list()).map((q) => q.name).sort();
  } finally {
    await copy.close();
  }
}

describe("SQLite backup", () => {
  it("copies the committed state, not a transaction open across turns when it starts", async () => {
    const store = await openSqliteStore({ path: join(dir, "open.db"), synchronous: "normal" });
    try {
      await store.transaction((tx) => tx.queues.insert(queue("committed")));
      // A transaction that awaits something other than the database stays open across turns.
      const open = store
        .transaction(async (tx) => {
          await tx.queues.insert(queue("rolled-back"));
          for (let i = 0; i < 20; i++) await nextTurn();
          throw new Error("rolled back");
        })
        .catch((err: Error) => err.message);
      await nextTurn();
      const copy = await store.backup("during.db");
      assert.equal(await open, "rolled back");
      assert.equal(copy.path, join(dir, "backups", "during.db"));
      assert.ok(copy.bytes > 0);
      assert.deepEqual(await queuesIn(copy.path), ["committed"]);
      assert.deepEqual(readdirSync(join(dir, "backups")), ["during.db"], "no partial file left");
    } finally {
      await store.close();
    }
  });

  it("one at a time, never over an existing file, and nothing to copy in memory", async () => {
    const store = await openSqliteStore({ path: join(dir, "once.db"), synchronous: "normal" });
    try {
      const [first, second] = await Promise.allSettled([store.backup("a.db"), store.backup("b.db")]);
      assert.equal(first.status, "fulfilled");
      assert.ok(second.status === "rejected" && second.reason instanceof BackupRefused && second.reason.reason === "busy");
      assert.equal(existsSync(join(dir, "backups", "b.db")), false);
      await assert.rejects(store.backup("a.db"), (err) => err instanceof BackupRefused && err.reason === "exists");
    } finally {
      await store.close();
    }
    const memory = await openSqliteStore({ path: ":memory:", synchronous: "normal" });
    try {
      await assert.rejects(memory.backup("m.db"), (err) => err instanceof BackupRefused && err.reason === "memory");
    } finally {
      await memory.close();
    }
  });
});

/**
 * Starts that cannot succeed say why in one line and exit with status 2, like configuration
 * errors: a SQLite file another parley holds, a data directory that cannot be created.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runMainToExit, spawnServer } from "../support/process.ts";

describe("a start that cannot open its database", () => {
  it("a second parley on the same SQLite file: one line naming the file, status 2, at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-held-"));
    const file = join(dir, "parley.db");
    const first = await spawnServer({ DATABASE_URL: `sqlite:${file}` });
    try {
      const started = Date.now();
      const second = await runMainToExit({ DATABASE_URL: `sqlite:${file}` });
      assert.equal(second.code, 2, second.stderr);
      const lines = second.stderr.trim().split("\n");
      assert.equal(lines.length, 1, second.stderr);
      assert.match(lines[0] ?? "", new RegExp(`^parley: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is held by another process`));
      assert.doesNotMatch(second.stderr, /\n\s+at /, "no stack trace");
      assert.ok(Date.now() - started < 15_000, "it does not wait for the lock");
    } finally {
      first.child.kill("SIGTERM");
      await first.exited;
    }
  });

  it("a data directory that cannot be created: one line naming the path, status 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-unwritable-"));
    const notADirectory = join(dir, "file");
    writeFileSync(notADirectory, "x");
    const result = await runMainToExit({ DATABASE_URL: `sqlite:${notADirectory}/data/parley.db` });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /^parley: cannot create the directory of .*\/file\/data\/parley\.db \(ENOTDIR\)/);
  });
});

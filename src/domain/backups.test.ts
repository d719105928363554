import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backupFileName } from "./backups.ts";

describe("backupFileName", () => {
  it("defaults to parley-<UTC time>.db", () => {
    assert.equal(backupFileName(undefined, Date.parse("2026-12-05T10:11:12.345Z")), "parley-20261205T101112345Z.db");
  });

  it("takes a plain file name", () => {
    for (const name of ["before-upgrade.db", "a", "nightly_2026.12.05.sqlite"]) assert.equal(backupFileName(name, 0), name);
  });

  it("refuses a path, a leading dot, SQLite's own suffixes and odd characters", () => {
    for (const name of [
      "",
      "../parley.db",
      "a/b.db",
      "/etc/passwd",
      ".hidden",
      "..",
      "x.db-wal",
      "x.db-shm",
      "x.db-journal",
      "x.db.partial",
      "a b",
      "é.db",
      "a\\b",
      "x".repeat(101),
    ]) {
      assert.throws(() => backupFileName(name, 0), /name: a file name/, JSON.stringify(name));
    }
  });
});

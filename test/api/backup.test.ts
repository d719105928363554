/**
 * POST /api/v2/admin/backup: a consistent copy of the SQLite database while parley runs
 * (administrators only; a plain file name or none), restored by copying it over the database
 * file with parley stopped; on PostgreSQL, a 409 that points at pg_dump.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { call, startServer, type Reply } from "../support/server.ts";
import { describeWith, dropSchema } from "../support/suites.ts";

const env = { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD };
const backup = (url: string, body?: object, headers = ADMIN): Promise<Reply> => call("POST", `${url}/api/v2/admin/backup`, body, headers);

describe("POST /api/v2/admin/backup on SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-backup-api-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("copies the database; a restored copy has what was written before it and nothing after", async () => {
    let server = await startServer({ dir, keep: true, env });
    let copy: string;
    try {
      const api = agentApi(server.url);
      await api.createAgent("before");
      const reply = await backup(server.url);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.statusCode, 0);
      copy = reply.body.path;
      assert.match(copy, /\/backups\/parley-\d{8}T\d{9}Z\.db$/);
      assert.ok(copy.startsWith(join(dir, "backups")), copy);
      assert.equal(reply.body.bytes, statSync(copy).size);
      await api.createAgent("after");
    } finally {
      await server.close();
    }
    // The restore, as the README says: parley stopped, the copy over the file, its -wal and -shm removed.
    copyFileSync(copy, join(dir, "parley.db"));
    for (const side of ["-wal", "-shm"]) rmSync(join(dir, `parley.db${side}`), { force: true });
    server = await startServer({ dir, keep: true, env });
    try {
      const names = (await call("GET", `${server.url}/api/v2/users`, undefined, ADMIN)).body.users.map((u: { userName: string }) => u.userName);
      assert.ok(names.includes("before"), names.join());
      assert.equal(names.includes("after"), false, names.join());
    } finally {
      await server.close();
    }
  });

  it("takes a plain file name, never twice; refuses paths and odd names (400) and anyone but an admin (403)", async () => {
    const server = await startServer({ dir, keep: true, env });
    try {
      const named = await backup(server.url, { name: "before-upgrade.db" });
      assert.equal(named.status, 200, named.text);
      assert.equal(named.body.path, join(dir, "backups", "before-upgrade.db"));
      const again = await backup(server.url, { name: "before-upgrade.db" });
      assert.equal(again.status, 409, again.text);
      assert.match(again.body.errorDescription, /already exists/);
      for (const name of ["../parley.db", "sub/x.db", ".hidden", "x.db-wal", "", "a b"]) {
        const bad = await backup(server.url, { name });
        assert.equal(bad.status, 400, `${name}: ${bad.text}`);
        assert.equal(bad.body.statusCode, 1);
      }
      assert.equal(existsSync(join(dir, "parley.db.partial")), false);
      const agent = await agentApi(server.url).createAgent("plain");
      const refused = await backup(server.url, {}, agent.headers);
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.statusCode, 5);
      assert.equal((await backup(server.url, {}, {})).status, 401);
    } finally {
      await server.close();
    }
  });
});

const pgUrl = process.env.TEST_DATABASE_URL ?? "";
describeWith("POST /api/v2/admin/backup on PostgreSQL", pgUrl === "" ? "TEST_DATABASE_URL is not set: PostgreSQL backup refusal not tested" : false, () => {
  const schema = `parley_backup_${randomBytes(6).toString("hex")}`;
  after(async () => {
    await dropSchema(pgUrl, schema);
  });

  it("answers 409 naming pg_dump", async () => {
    const server = await startServer({ env: { ...env, DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema } });
    try {
      const reply = await backup(server.url);
      assert.equal(reply.status, 409, reply.text);
      assert.match(reply.body.errorDescription, /PostgreSQL: back it up with pg_dump/);
    } finally {
      await server.close();
    }
  });
});

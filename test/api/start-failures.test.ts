/**
 * Starts that cannot succeed say why in one line naming the setting and exit with status 2, like
 * configuration errors: a SQLite file another parley holds, a data directory that cannot be
 * created, a PostgreSQL server that is down or refuses the role or database, a port in use.
 * Never a stack trace, never the password of DATABASE_URL.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runMainToExit, spawnServer } from "../support/process.ts";
import { describeWith } from "../support/suites.ts";

const PASSWORD = "never-printed-s3cret";

/** The one line a failed start prints (asserted to be one, without a stack trace). */
function oneLine(result: { code: number | null; stderr: string }): string {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(result.stderr, new RegExp(PASSWORD), "no password");
  return lines[0] ?? "";
}

/** Lines of the JSON log at warn (40) that mention `text`. */
function warnings(stdout: string, text: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 40 && line.msg.includes(text))
    .map((line) => line.msg);
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  return { server, port: address.port };
}

describe("a start that cannot open its database", () => {
  it("a second parley on the same SQLite file: one line naming the file, status 2, at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-held-"));
    const file = join(dir, "parley.db");
    const first = await spawnServer({ DATABASE_URL: `sqlite:${file}` });
    try {
      const started = Date.now();
      const line = oneLine(await runMainToExit({ DATABASE_URL: `sqlite:${file}` }));
      assert.match(line, new RegExp(`^parley: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is held by another process`));
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
    const line = oneLine(await runMainToExit({ DATABASE_URL: `sqlite:${notADirectory}/data/parley.db` }));
    assert.match(line, /^parley: cannot create the directory of .*\/file\/data\/parley\.db \(ENOTDIR\)/);
  });

  it("PostgreSQL not running: one line naming DATABASE_URL (its password hidden), status 2", async () => {
    const { server, port } = await listening();
    server.close(); // a port nothing listens on
    const result = await runMainToExit({ DATABASE_URL: `postgres://parley:${PASSWORD}@127.0.0.1:${port}/parley`, REDIS_URL: "redis://127.0.0.1:6379" });
    const line = oneLine(result);
    assert.equal(
      line,
      `parley: cannot reach PostgreSQL at postgres://parley:***@127.0.0.1:${port}/parley (connect ECONNREFUSED 127.0.0.1:${port}): start it, or set DATABASE_URL to a server this machine reaches`,
    );
    assert.deepEqual(warnings(result.stdout, "REDIS_URL"), [], "REDIS_URL is set: no warning");
  });
});

describe("a start that cannot reach Redis", () => {
  it("REDIS_URL refused: one line naming REDIS_URL (its password hidden), status 2", async () => {
    const { server, port } = await listening();
    server.close(); // a port nothing listens on
    const dir = mkdtempSync(join(tmpdir(), "parley-redis-"));
    const line = oneLine(await runMainToExit({ DATABASE_URL: `sqlite:${dir}/parley.db`, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${port}` }));
    assert.equal(
      line,
      `parley: cannot reach Redis at redis://:***@127.0.0.1:${port} (ECONNREFUSED): start it, or set REDIS_URL to a server this machine reaches (unset, one node needs none)`,
    );
  });
});

const testDatabase = process.env.TEST_DATABASE_URL;
describeWith("a start PostgreSQL refuses", testDatabase === undefined ? "TEST_DATABASE_URL is not set" : false, () => {
  /** TEST_DATABASE_URL with another role (and a password) or another database. */
  const url = (change: { username?: string; password?: string; pathname?: string }) => Object.assign(new URL(testDatabase ?? ""), change).href;

  it("an unknown role: one line naming DATABASE_URL, status 2", async () => {
    const line = oneLine(await runMainToExit({ DATABASE_URL: url({ username: "parley_no_such_role", password: PASSWORD }) }));
    assert.match(line, /^parley: PostgreSQL at postgres:\/\/parley_no_such_role:\*\*\*@.* refused the login \(.*parley_no_such_role.*\): set DATABASE_URL /);
  });

  it("an unknown database: one line naming DATABASE_URL, status 2", async () => {
    const line = oneLine(await runMainToExit({ DATABASE_URL: url({ pathname: "/parley_no_such_database" }) }));
    assert.match(
      line,
      /^parley: PostgreSQL at postgres:\/\/.*\/parley_no_such_database has no such database \(database "parley_no_such_database" does not exist\): create it, or set DATABASE_URL /,
    );
  });
});

describe("a start that cannot listen", () => {
  it("PORT in use: one line naming PORT, status 2", async () => {
    const { server, port } = await listening();
    try {
      const result = await runMainToExit({ PORT: String(port), DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), "parley-port-")), "p.db")}` });
      assert.equal(oneLine(result), `parley: 127.0.0.1:${port} is in use (another parley, or another server?): stop it, or set PORT to a free port`);
      assert.deepEqual(warnings(result.stdout, "REDIS_URL"), [], "SQLite, one node: no warning about REDIS_URL");
    } finally {
      server.close();
    }
  });

  it("OPS_BIND in use: one line naming OPS_BIND, status 2", async () => {
    const { server, port } = await listening();
    try {
      const line = oneLine(
        await runMainToExit({ OPS_BIND: `127.0.0.1:${port}`, DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), "parley-ops-")), "p.db")}` }),
      );
      assert.equal(line, `parley: 127.0.0.1:${port} is in use (another parley, or another server?): stop it, or set OPS_BIND to a free port`);
    } finally {
      server.close();
    }
  });
});

describe("PostgreSQL without REDIS_URL", () => {
  it("warns at start, once, that CometD messages do not cross nodes", async () => {
    const { server, port } = await listening();
    server.close();
    const result = await runMainToExit({ DATABASE_URL: `postgres://parley@127.0.0.1:${port}/parley`, REDIS_URL: "" });
    assert.equal(result.code, 2, "and then the start fails: nothing listens there");
    const [warning, ...more] = warnings(result.stdout, "REDIS_URL");
    assert.equal(more.length, 0, result.stdout);
    assert.match(warning ?? "", /^DATABASE_URL is PostgreSQL and REDIS_URL is unset: CometD messages .* reach only the clients of the node that sends them/);
  });
});

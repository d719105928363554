/** The operator CLI: users added, listed, re-passworded and removed on the configured database. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { basic } from "../support/agents.ts";
import { runCli } from "../support/process.ts";
import { call, startServer } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "parley-cli-"));
const env = { DATABASE_URL: `sqlite:${join(dir, "parley.db")}` };
after(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run parley -- user ...", () => {
  it("adds users (a generated password printed once), lists, changes a password and removes", async () => {
    const added = await runCli(["user", "add", "--name", "ada", "--role", "ROLE_SUPERVISOR", "--role", "ROLE_AGENT", "--skill", "english:7"], env);
    assert.equal(added.code, 0, added.stderr);
    const generated = /password: (\S+)/.exec(added.stdout)?.[1];
    assert.ok(generated !== undefined, added.stdout);
    assert.equal((await runCli(["user", "add", "--name", "bob", "--password", "bob-password"], env)).code, 0);
    const listed = await runCli(["user", "list"], env);
    assert.match(listed.stdout, /ada {2}ROLE_SUPERVISOR,ROLE_AGENT/);
    assert.match(listed.stdout, /bob {2}ROLE_AGENT/);
    assert.equal((await runCli(["user", "passwd", "--name", "bob", "--password", "bob-new-password"], env)).code, 0);
    assert.equal((await runCli(["user", "remove", "--name", "ada"], env)).code, 0);

    const server = await startServer({ dir, keep: true });
    try {
      const me = await call("GET", `${server.url}/api/v2/me`, undefined, basic("bob", "bob-new-password"));
      assert.equal(me.body.user.userName, "bob");
      assert.equal((await call("GET", `${server.url}/api/v2/me`, undefined, basic("ada", generated))).status, 401);
    } finally {
      await server.close();
    }
  });

  it("refuses bad input with exit status 2 and a message", async () => {
    const bad = await runCli(["user", "add", "--name", "eve", "--role", "ROLE_GOD"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /roles: ROLE_GOD/);
    assert.equal((await runCli(["user", "add", "--name", "bob", "--password", "password1"], env)).code, 2, "taken");
    assert.equal((await runCli(["user", "frobnicate"], env)).code, 2);
  });

  it("--help and -h print the usage and open no database", async () => {
    const nowhere = { DATABASE_URL: "postgres://parley@127.0.0.1:1/parley" };
    for (const flag of ["--help", "-h"]) {
      const help = await runCli([flag], nowhere);
      assert.equal(help.code, 0, help.stderr);
      assert.equal(help.stderr, "");
      assert.match(help.stdout, /^usage: npm run parley -- user add --name NAME/);
      for (const command of ["user passwd --name NAME", "user list", "user remove --name NAME"]) assert.ok(help.stdout.includes(command), command);
    }
    assert.equal((await runCli(["user", "add", "-h"], nowhere)).code, 0, "after a command too");
  });

  it("an unknown command or option, or a missing --name: what is wrong, the usage, status 2, no database opened", async () => {
    const nowhere = { DATABASE_URL: "postgres://parley@127.0.0.1:1/parley" };
    for (const [args, problem] of [
      [[], "no command given"],
      [["frobnicate"], "unknown command: frobnicate"],
      [["user", "frobnicate"], "unknown command: user frobnicate"],
      [["user", "list", "--bogus"], "Unknown option '--bogus'"],
      [["user", "remove"], "user remove needs --name"],
    ] as const) {
      const result = await runCli([...args], nowhere);
      assert.equal(result.code, 2, args.join(" "));
      assert.ok(result.stderr.startsWith(`parley: ${problem}`), result.stderr);
      assert.match(result.stderr, /\nusage: npm run parley -- user add/);
      assert.equal(result.stdout, "");
    }
  });

  it("a database it cannot reach: one line naming DATABASE_URL without its password, status 2", async () => {
    for (const [url, shown] of [
      ["postgres://parley:cli-s3cret@127.0.0.1:1/parley", "postgres://parley:***@127.0.0.1:1/parley"],
      ["postgres://parley@127.0.0.1:1/parley?password=cli-s3cret", "postgres://parley@127.0.0.1:1/parley?password=***"],
    ] as const) {
      const result = await runCli(["user", "list"], { DATABASE_URL: url });
      assert.equal(result.code, 2, result.stderr);
      assert.ok(result.stderr.startsWith(`parley: cannot reach PostgreSQL at ${shown} (`), result.stderr);
      assert.match(result.stderr, /DATABASE_URL[^\n]*\n$/, "one line");
      assert.doesNotMatch(result.stderr, /cli-s3cret/);
    }
  });
});

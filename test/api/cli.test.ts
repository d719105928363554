/** The operator CLI: users added, listed, re-passworded and removed on the configured database; a backup asked of a running server. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ADMIN_PASSWORD, basic } from "../support/agents.ts";
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
      for (const command of ["user passwd --name NAME", "user list", "user remove --name NAME", "backup [--url URL] [--user NAME] [--name FILE]"]) {
        assert.ok(help.stdout.includes(command), command);
      }
      assert.match(help.stdout, /PARLEY_PASSWORD/);
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
      [["backup"], "backup needs the administrator's password in PARLEY_PASSWORD"],
      [["backup", "now"], "unexpected: now"],
    ] as const) {
      const result = await runCli([...args], { ...nowhere, PARLEY_PASSWORD: args[1] === "now" ? "x" : "" });
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

  it("backup: the running server writes the copy, the CLI prints where; a refusal or no server is status 2", async () => {
    const server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    try {
      const done = await runCli(["backup", "--url", server.url, "--user", "admin", "--name", "cli.db"], { PARLEY_PASSWORD: ADMIN_PASSWORD });
      assert.equal(done.code, 0, done.stderr);
      const path = join(server.dir, "backups", "cli.db");
      assert.match(done.stdout, new RegExp(`^backup: ${path.replaceAll(".", "\\.")} \\(\\d+ bytes\\)\n$`));
      assert.ok(existsSync(path));
      const taken = await runCli(["backup", "--url", server.url, "--name", "cli.db"], { PARLEY_PASSWORD: ADMIN_PASSWORD });
      assert.equal(taken.code, 2);
      assert.equal(taken.stderr, "parley: backup refused (409): a backup named cli.db already exists\n");
      const wrong = await runCli(["backup", "--url", server.url], { PARLEY_PASSWORD: "not-the-password" });
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /^parley: backup refused \(401\)/);
    } finally {
      await server.close();
    }
    const nobody = await runCli(["backup", "--url", "http://127.0.0.1:1"], { PARLEY_PASSWORD: "x" });
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /^parley: cannot reach parley at http:\/\/127\.0\.0\.1:1\/api\/v2\/admin\/backup \(.*\): is it running there\? \(--url\)\n$/);
  });
});

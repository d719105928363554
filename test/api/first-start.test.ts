/** A first start with nothing configured: demo users with generated passwords, shown once. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnServer } from "../support/process.ts";
import { call, eventually } from "../support/server.ts";

describe("npm start on an empty database", () => {
  it("creates admin, agent1 and agent2 with generated passwords, printed once; a restart prints nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-first-"));
    const env = { DATABASE_URL: `sqlite:${join(dir, "p.db")}`, PARLEY_DEMO_USERS: "true" };
    try {
      const first = await spawnServer(env);
      const password = await eventually(async () => /admin\s+(\S+)/.exec(first.stderr())?.[1], 5000, "the printed credentials");
      assert.match(first.stderr(), /agent1\s+\S+\s+\(ROLE_AGENT\)/);
      const port = new URL(first.url).port;
      assert.ok(
        first.stderr().includes(`Open http://localhost:${port}/ as a customer and http://localhost:${port}/agent as agent1`),
        "the lines say where to go",
      );
      const auth = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` };
      const me = await call("GET", `${first.url}/api/v2/me`, undefined, auth);
      assert.deepEqual(me.body.user.roles, ["ROLE_ADMIN", "ROLE_SUPERVISOR"]);
      first.child.kill("SIGTERM");
      await first.exited;
      const second = await spawnServer(env);
      assert.doesNotMatch(second.stderr(), /first start/);
      assert.equal((await call("GET", `${second.url}/api/v2/me`, undefined, auth)).status, 200, "the same users, the same password");
      second.child.kill("SIGTERM");
      await second.exited;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

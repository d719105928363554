/**
 * Routing offers work only to users of the routing roles (ROUTING_ROLES, `ROLE_AGENT` by
 * default): a supervisor or administrator who sets themselves Ready is not sent customers unless
 * the deployment says so.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { startServer, type TestServer } from "../support/server.ts";

async function withRouting(env: Record<string, string>, body: (server: TestServer, api: ReturnType<typeof agentApi>) => Promise<void>): Promise<void> {
  const server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ...env } });
  try {
    await body(server, agentApi(server.url));
  } finally {
    await server.close();
  }
}

const SKILL = [{ name: "billing", level: 5 }];

describe("ROUTING_ROLES", () => {
  it("by default, an admin or supervisor who is Ready is offered nothing; a user who is also an agent is", async () => {
    await withRouting({}, async (server, api) => {
      assert.equal((await api.request("POST", "/queues", ADMIN, { name: "billing", skills: SKILL })).body.statusCode, 0);
      const admin = await api.createAgent("boss", { skills: SKILL }, ["ROLE_ADMIN"]);
      const supervisor = await api.createAgent("lead", { skills: SKILL }, ["ROLE_SUPERVISOR"]);
      await api.ready(admin);
      await api.ready(supervisor);
      const id = await api.submit({}, "billing");
      await server.app.router.settle();
      assert.equal((await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction.state, "Queued");
      assert.deepEqual([...(await api.mine(admin)), ...(await api.mine(supervisor))], []);
      const queues = (await api.request("GET", "/queues", ADMIN)).body.queues as { name: string; agents: { qualified: number; ready: number } }[];
      assert.deepEqual(queues.find((q) => q.name === "billing")?.agents, { qualified: 0, ready: 0 });

      const playing = await api.createAgent("player-coach", { skills: SKILL }, ["ROLE_SUPERVISOR", "ROLE_AGENT"]);
      await api.ready(playing);
      await api.sees(playing, id, "Invited");
    });
  });

  it("ROUTING_ROLES=ROLE_AGENT,ROLE_SUPERVISOR: a Ready supervisor is offered work", async () => {
    await withRouting({ ROUTING_ROLES: "ROLE_AGENT,ROLE_SUPERVISOR" }, async (server, api) => {
      assert.equal((await api.request("POST", "/queues", ADMIN, { name: "billing", skills: SKILL })).body.statusCode, 0);
      const admin = await api.createAgent("boss", { skills: SKILL }, ["ROLE_ADMIN"]);
      await api.ready(admin);
      const supervisor = await api.createAgent("lead", { skills: SKILL }, ["ROLE_SUPERVISOR"]);
      await api.ready(supervisor);
      const id = await api.submit({}, "billing");
      await api.sees(supervisor, id, "Invited");
      await server.app.router.settle();
      assert.deepEqual(await api.mine(admin), [], "an administrator still is not");
    });
  });
});

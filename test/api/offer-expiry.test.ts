/**
 * An offer tells the invited agent when it expires (`offerExpiresAt`, ROUTING_OFFER_TIMEOUT_MS
 * after it was made), in the NewInteraction notification and in GET /me/interactions, so a
 * desktop can count the time left down; it is gone once accepted, and nobody else sees it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN, ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { cometdClient } from "../support/cometd.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ROUTING_OFFER_TIMEOUT_MS: "45000" } });
  api = agentApi(server.url);
});
after(() => server.close());

describe("offerExpiresAt", () => {
  it("is on the offer the invited agent gets, ROUTING_OFFER_TIMEOUT_MS after it was made, and not once accepted", async () => {
    assert.equal((await api.request("POST", "/queues", ADMIN, { name: "expiry", skills: [{ name: "expiry", level: 1 }] })).body.statusCode, 0);
    const agent = await api.createAgent("offered", { skills: [{ name: "expiry", level: 5 }] });
    const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
    try {
      await client.handshake();
      await client.subscribe("/v2/me/interactions");
      await api.ready(agent);
      const before = Date.now();
      const id = await api.submit({}, "expiry");
      const [message] = await client.waitFor(1);
      const data = (message as Message).data as Record<string, any>;
      assert.equal(data.notificationType, "NewInteraction");
      const expires = Date.parse(data.interaction.offerExpiresAt);
      assert.ok(expires >= before + 45_000 && expires <= Date.now() + 45_000, `offerExpiresAt ${data.interaction.offerExpiresAt}`);
      const [listed] = await api.mine(agent);
      assert.equal((listed as Record<string, unknown> | undefined)?.offerExpiresAt, data.interaction.offerExpiresAt);
      const admin = (await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction;
      assert.equal(admin.offerExpiresAt, undefined, "only the invited agent is told");
      await api.operate(agent, id, { operationName: "Accept" });
      await api.sees(agent, id, "Accepted");
      const [accepted] = await api.mine(agent);
      assert.equal((accepted as Record<string, unknown> | undefined)?.offerExpiresAt, undefined);
    } finally {
      await client.disconnect();
    }
  });
});

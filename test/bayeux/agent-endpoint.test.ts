/**
 * /api/v2/notifications: the same engine, identities from the agent authentication hook, and
 * no crossing between endpoints (an agent and a customer of the same name are different people).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawBayeux } from "../support/bayeux.ts";
import { cometdClient } from "../support/cometd.ts";
import { startServer, type TestServer } from "../support/server.ts";

const TOKEN = `Basic ${Buffer.from("agent1:secret").toString("base64")}`;
let server: TestServer;
before(async () => {
  server = await startServer({ authenticateAgent: (req) => (req.headers.authorization === TOKEN ? "agent1" : null) });
});
after(() => server.close());

describe("agent notifications endpoint", () => {
  it("refuses a handshake that does not authenticate", async () => {
    const reply = await rawBayeux(`${server.url}/api/v2/notifications`).post([{ channel: "/meta/handshake", version: "1.0" }]);
    assert.equal(reply.body[0].successful, false);
    assert.equal(reply.body[0].error, "403::authentication required");
  });

  it("delivers /v2/me/interactions to the authenticated agent only", async () => {
    const agent = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: { authorization: TOKEN } });
    const namesake = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "agent1" });
    try {
      assert.equal((await agent.handshake()).successful, true);
      await agent.subscribe("/v2/me/**");
      await namesake.handshake();
      await namesake.subscribe("/v2/me/**");
      server.app.bayeux.deliver("agent", "agent1", "/v2/me/interactions", { messageType: "InteractionStateMessage" });
      server.app.bayeux.deliver("customer", "agent1", "/v2/me/interactions", { forCustomer: true });
      const [toAgent, toCustomer] = await Promise.all([agent.waitFor(1), namesake.waitFor(1)]);
      assert.deepEqual(
        toAgent.map((m) => m.data),
        [{ messageType: "InteractionStateMessage" }],
      );
      assert.deepEqual(
        toCustomer.map((m) => m.data),
        [{ forCustomer: true }],
      );
    } finally {
      await agent.disconnect();
      await namesake.disconnect();
    }
  });
});

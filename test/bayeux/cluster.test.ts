/**
 * Two nodes, one cluster: deliveries and publishes made on one node reach CometD clients
 * connected to the other, through the in-memory hub (always) and Redis (TEST_REDIS_URL).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { it } from "node:test";
import { describeWith } from "../support/suites.ts";
import { MemoryHub } from "../../src/bus/memory.ts";
import { cometdClient } from "../support/cometd.ts";
import { startServer, type StartOptions } from "../support/server.ts";

const redisUrl = process.env.TEST_REDIS_URL ?? "";

function clusterSuite(name: string, nodeOptions: () => StartOptions, skip: string | false) {
  describeWith(`cluster over ${name}`, skip, () => {
    it("delivers privately and publishes across nodes, over long-polling and WebSocket", async () => {
      const options = nodeOptions();
      const a = await startServer(options);
      const b = await startServer(options);
      const onB = cometdClient(`${b.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "roamer" });
      const wsOnB = cometdClient(`${b.url}/genesys/cometd`, { transport: "websocket", handshake: { ext: { gms_user: "roamer" } } });
      const stranger = cometdClient(`${b.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "stranger" });
      try {
        for (const c of [onB, wsOnB, stranger]) {
          await c.handshake();
          await c.subscribe("/_genesys");
        }
        a.app.bayeux.deliver("customer", "roamer", "/_genesys", { from: "node a" });
        a.app.bayeux.publish("customer", "/_genesys", { broadcast: true });
        const [lp, ws, other] = await Promise.all([onB.waitFor(2), wsOnB.waitFor(2), stranger.waitFor(1)]);
        assert.deepEqual(
          lp.map((m) => m.data),
          [{ from: "node a" }, { broadcast: true }],
        );
        assert.deepEqual(
          ws.map((m) => m.data),
          [{ from: "node a" }, { broadcast: true }],
        );
        assert.deepEqual(
          other.map((m) => m.data),
          [{ broadcast: true }],
          "a private delivery reaches no one else",
        );
      } finally {
        await Promise.all([onB.disconnect(), wsOnB.disconnect(), stranger.disconnect()]);
        await a.close();
        await b.close();
      }
    });
  });
}

clusterSuite("the in-memory hub", () => ({ memoryHub: new MemoryHub() }) as StartOptions, false);
clusterSuite(
  "Redis",
  () => ({ env: { REDIS_URL: redisUrl, REDIS_PREFIX: `parley-test-${randomBytes(6).toString("hex")}` } }),
  redisUrl === "" ? "TEST_REDIS_URL is not set: Redis cluster test not run" : false,
);

/**
 * Conformance with the official CometD JavaScript client, over long-polling and WebSocket:
 * handshake with gms_user, subscribe to /_genesys, private deliveries, user isolation.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cometdClient, type TestClient, type Transport } from "../support/cometd.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
const clients: TestClient[] = [];
before(async () => {
  server = await startServer();
});
after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  await server.close();
});

function client(transport: Transport, user: string): TestClient {
  const url = `${server.url}/genesys/cometd`;
  // Browsers cannot set headers on a WebSocket upgrade: the user travels in the handshake ext.
  const c =
    transport === "websocket" ? cometdClient(url, { transport, handshake: { ext: { gms_user: user } } }) : cometdClient(url, { transport, gmsUser: user });
  clients.push(c);
  return c;
}

for (const transport of ["long-polling", "websocket"] as const) {
  describe(`official CometD client over ${transport}`, () => {
    it("handshakes with gms_user and gets the ack extension", async () => {
      const c = client(transport, `hs-${transport}`);
      const reply = await c.handshake();
      assert.equal(reply.successful, true);
      assert.equal(typeof reply.clientId, "string");
      assert.deepEqual(reply.ext, { ack: true });
      assert.ok(reply.supportedConnectionTypes?.includes("long-polling"));
      assert.ok(reply.supportedConnectionTypes?.includes("websocket"));
      assert.ok(reply.supportedConnectionTypes?.includes("callback-polling"));
    });

    it("receives private deliveries on /_genesys, in order", async () => {
      const user = `alice-${transport}`;
      const c = client(transport, user);
      await c.handshake();
      assert.equal((await c.subscribe("/_genesys")).successful, true);
      for (let i = 0; i < 20; i++) {
        server.app.bayeux.deliver("customer", user, "/_genesys", { tag: `service.chat.refresh.${i}`, message: { i } });
      }
      const received = await c.waitFor(20);
      assert.deepEqual(
        received.map((m) => m.data.message.i),
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.ok(received.every((m) => m.channel === "/_genesys"));
    });

    it("never shows one user's messages to another, and reaches every client of a user", async () => {
      const bob1 = client(transport, `bob-${transport}`);
      const bob2 = client(transport, `bob-${transport}`);
      const eve = client(transport, `eve-${transport}`);
      for (const c of [bob1, bob2, eve]) {
        await c.handshake();
        await c.subscribe("/_genesys");
      }
      server.app.bayeux.deliver("customer", `bob-${transport}`, "/_genesys", { secret: "for bob" });
      server.app.bayeux.deliver("customer", `eve-${transport}`, "/_genesys", { secret: "for eve" });
      const [b1, b2, e] = await Promise.all([bob1.waitFor(1), bob2.waitFor(1), eve.waitFor(1)]);
      assert.deepEqual(
        b1?.map((m) => m.data.secret),
        ["for bob"],
      );
      assert.deepEqual(
        b2?.map((m) => m.data.secret),
        ["for bob"],
      );
      assert.deepEqual(
        e?.map((m) => m.data.secret),
        ["for eve"],
      );
    });

    it("reaches wildcard subscribers and not those of other channels", async () => {
      const user = `wild-${transport}`;
      const star = client(transport, user);
      const other = client(transport, user);
      await star.handshake();
      await other.handshake();
      await star.subscribe("/v2/me/**");
      await other.subscribe("/v2/other");
      server.app.bayeux.deliver("customer", user, "/v2/me/interactions", { n: 1 });
      server.app.bayeux.deliver("customer", user, "/v2/other", { n: 2 });
      assert.deepEqual(
        (await star.waitFor(1)).map((m) => m.data.n),
        [1],
      );
      assert.deepEqual(
        (await other.waitFor(1)).map((m) => m.data.n),
        [2],
      );
    });
  });
}

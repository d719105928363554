/**
 * One user must not act as another on CometD: a WebSocket is bound to the identity its upgrade
 * or first claim established, and every other clientId is unknown to it, as over HTTP.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rawBayeux, wsBayeux, type RawBayeux } from "../support/bayeux.ts";
import { startServer, until, type TestServer } from "../support/server.ts";

let server: TestServer;
let bx: RawBayeux;
before(async () => {
  server = await startServer({ env: { BAYEUX_CONNECT_TIMEOUT_MS: "60000" } });
  bx = rawBayeux(`${server.url}/genesys/cometd`);
});
after(() => server.close());

/** A victim over long-polling, subscribed to /_genesys, holding no connect. */
async function victim(user: string): Promise<string> {
  const { clientId } = await bx.handshake(user);
  await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: user });
  await bx.post([{ channel: "/meta/subscribe", clientId, subscription: "/_genesys" }], { gms_user: user });
  return clientId;
}

describe("a WebSocket whose upgrade carried no gms_user", () => {
  for (const [name, message] of [
    ["/meta/connect", (clientId: string) => ({ channel: "/meta/connect", clientId, connectionType: "websocket" })],
    ["/meta/subscribe to /**", (clientId: string) => ({ channel: "/meta/subscribe", clientId, subscription: "/**" })],
    ["/meta/disconnect", (clientId: string) => ({ channel: "/meta/disconnect", clientId })],
  ] as const) {
    it(`cannot ${name} with another user's clientId: 402::Unknown client, the victim untouched`, async () => {
      const clientId = await victim(`victim-${name}`);
      const attacker = await wsBayeux(server.url, "/genesys/cometd");
      const [reply] = await attacker.send([message(clientId)]);
      assert.equal(reply?.error, "402::Unknown client");
      const session = server.app.bayeux.sessions.get(clientId);
      assert.ok(session !== undefined, "the victim's client still exists");
      assert.deepEqual([...session.subscriptions], ["/_genesys"]);
      attacker.ws.close();
    });
  }

  it("bound by its own handshake ext to mallory, still cannot name the victim's clientId", async () => {
    const clientId = await victim("victim-bound");
    const attacker = await wsBayeux(server.url, "/genesys/cometd");
    const [hs] = await attacker.send([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "mallory" } }]);
    assert.equal(hs?.successful, true);
    const [reply] = await attacker.send([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
    assert.equal(reply?.error, "402::Unknown client");
    attacker.ws.close();
  });

  it("does not receive the victim's private deliveries", async () => {
    const user = "victim-deliveries";
    const clientId = await victim(user);
    const attacker = await wsBayeux(server.url, "/genesys/cometd");
    const [connect] = await attacker.send([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
    assert.equal(connect?.successful, false);
    server.app.bayeux.deliver("customer", user, "/_genesys", { secret: 1 });
    const mine = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: user });
    assert.deepEqual(mine.body[0].data, { secret: 1 }, "the message waited for its owner");
    attacker.ws.close();
  });

  it("is closed when it claims a second identity (1008)", async () => {
    const socket = await wsBayeux(server.url, "/genesys/cometd");
    await socket.send([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "first" } }]);
    socket.ws.send(JSON.stringify([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "second" } }]));
    assert.equal(await socket.closeCode, 1008);
  });

  it("resumes its own client on a new socket when it names itself in ext (a browser after a lost socket)", async () => {
    const first = await wsBayeux(server.url, "/genesys/cometd");
    const [hs] = await first.send([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "roaming" } }]);
    first.ws.terminate();
    const second = await wsBayeux(server.url, "/genesys/cometd");
    const [reply] = await second.send([{ channel: "/meta/connect", clientId: hs?.clientId, connectionType: "websocket", ext: { gms_user: "roaming" } }]);
    assert.equal(reply?.successful, true);
    second.ws.close();
  });
});

describe("the agent endpoint over HTTP", () => {
  it("treats a clientId as unknown on a request that proves no identity", async () => {
    const agents = await startServer({ authenticateAgent: (req) => (req.headers.authorization === "Bearer a1" ? "agent1" : null) });
    try {
      const ax = rawBayeux(`${agents.url}/api/v2/notifications`);
      const { clientId } = await ax.handshake("ignored", {}, { authorization: "Bearer a1" });
      const reply = await ax.post([{ channel: "/meta/disconnect", clientId }]);
      assert.equal(reply.body[0].error, "402::Unknown client");
      await until(() => agents.app.bayeux.sessions.has(clientId), 1000, "the agent's client to survive");
    } finally {
      await agents.close();
    }
  });
});

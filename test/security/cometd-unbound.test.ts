/**
 * A page whose gms_user travels only in HTTP headers (issue 18): its WebSocket handshake, which
 * cannot carry them, succeeds unbound and lists only long-polling and callback-polling; the
 * official client follows that list, and the first request that proves an identity binds the
 * client, once. Until then it is an anonymous client (issue 19: Chat API v2 channels only). A claim that cannot be proven is still refused, and `?gms_user=` on the upgrade
 * URL names the user as the header does.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckExtension, CometD, type Message } from "cometd";
import { wsBayeux } from "../support/bayeux.ts";
import "../support/cometd.ts";
import { post, startServer, until, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

const cometdUrl = () => `${server.url}/genesys/cometd`;

describe("a WebSocket handshake that proves no identity", () => {
  it("succeeds unbound, advertising only the HTTP transports", async () => {
    const socket = await wsBayeux(server.url, "/genesys/cometd");
    try {
      const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket", "long-polling"] }]);
      assert.equal(hs?.successful, true);
      assert.deepEqual(hs?.supportedConnectionTypes, ["long-polling", "callback-polling"]);
      const session = server.app.bayeux.sessions.get(hs?.clientId);
      assert.equal(session?.bound, false);
      // Over the same socket it is served as an anonymous client (a Chat API v2 app's, WebSocket
      // only), which may not subscribe to the Chat API v1's channel.
      const [connect] = await socket.send([{ channel: "/meta/connect", clientId: hs?.clientId, connectionType: "websocket" }]);
      assert.equal(connect?.successful, true);
      const [subscribe] = await socket.send([{ channel: "/meta/subscribe", clientId: hs?.clientId, subscription: "/_genesys" }]);
      assert.equal(subscribe?.successful, false);
      assert.match(String(subscribe?.error), /^403:/);
    } finally {
      socket.ws.close();
    }
  });

  it("is bound by its first request that proves a gms_user, and never to a second one", async () => {
    const socket = await wsBayeux(server.url, "/genesys/cometd");
    const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0" }]);
    socket.ws.close();
    const clientId = hs?.clientId;
    const nobody = await post(cometdUrl(), [{ channel: "/meta/connect", clientId, connectionType: "long-polling" }]);
    assert.equal(nobody.body[0].successful, true, "served anonymously");
    assert.equal(server.app.bayeux.sessions.get(clientId)?.bound, false, "a request proving nothing binds nothing");
    const first = await post(cometdUrl(), [{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: "pat" });
    assert.equal(first.body[0].successful, true);
    assert.equal(server.app.bayeux.sessions.get(clientId)?.identity, "pat");
    const other = await post(cometdUrl(), [{ channel: "/meta/subscribe", clientId, subscription: "/_genesys" }], { gms_user: "mallory" });
    assert.equal(other.body[0].successful, false);
    assert.match(other.body[0].error, /^402::/);
    assert.equal(server.app.bayeux.sessions.get(clientId)?.identity, "pat", "the first identity stays");
  });

  it("refuses a claim in the ext that cannot be proven, as before", async () => {
    const secured = await startServer({ env: { GMS_USER_SECRET: "s".repeat(40) } });
    const socket = await wsBayeux(secured.url, "/genesys/cometd");
    try {
      const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "bob" } }]);
      assert.equal(hs?.error, "403::gms_user required");
    } finally {
      socket.ws.close();
      await secured.close();
    }
  });

  it("takes ?gms_user= on the upgrade URL as the user, as a header would", async () => {
    const socket = await wsBayeux(server.url, "/genesys/cometd?gms_user=quinn");
    try {
      const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0" }]);
      assert.equal(hs?.successful, true);
      assert.ok(Array.isArray(hs?.supportedConnectionTypes) && hs.supportedConnectionTypes.includes("websocket"));
      assert.equal(server.app.bayeux.sessions.get(hs?.clientId)?.identity, "quinn");
    } finally {
      socket.ws.close();
    }
  });
});

describe("the official client configured as such a page", () => {
  it("every transport registered, WebSocket first, gms_user in requestHeaders only: ends on long-polling and receives", async () => {
    const cometd = new CometD();
    cometd.registerExtension("ack", new AckExtension());
    assert.deepEqual(cometd.getTransportTypes().slice(0, 2), ["websocket", "long-polling"]);
    cometd.configure({ url: cometdUrl(), logLevel: "warn", requestHeaders: { gms_user: "page-user" } });
    const received: Message[] = [];
    try {
      // A refused handshake (reconnect: none) never calls back: the deadline turns that into a failure.
      const handshake = await new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no successful handshake within 10 s")), 10_000);
        cometd.handshake((m: Message) => {
          if (m.successful !== true) return;
          clearTimeout(timer);
          resolve(m);
        });
      });
      assert.equal(handshake.successful, true);
      await new Promise<Message>((resolve) => cometd.subscribe("/_genesys", (m: Message) => received.push(m), resolve));
      assert.equal(cometd.getTransport()?.type, "long-polling");
      const session = server.app.bayeux.sessions.get(cometd.getClientId() ?? "");
      assert.equal(session?.identity, "page-user");
      assert.equal(session?.subscriptions.has("/_genesys"), true);
      server.app.bayeux.deliver("customer", "page-user", "/_genesys", { hello: "page" });
      await until(() => received.length === 1, 5000, "the delivery");
      assert.deepEqual(received[0]?.data, { hello: "page" });
    } finally {
      if (!cometd.isDisconnected()) await new Promise<void>((resolve) => cometd.disconnect(() => resolve()));
    }
  });
});

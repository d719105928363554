/**
 * The identity rules as the official CometD client lives with them: a browser (identity in the
 * ext, no headers on the upgrade) that loses its socket handshakes again, or resumes its own
 * clientId when it names itself in every message; with GMS_USER_SECRET it proves its user.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignJWT } from "jose";
import type { Message } from "cometd";
import { cometdClient } from "../support/cometd.ts";
import { startServer, until } from "../support/server.ts";
import { tcpProxy } from "../support/sockets.ts";

describe("the official client over WebSocket, identity in the ext only", () => {
  it("after a lost socket gets 402 on the new one, handshakes again with its ext, and receives again", async () => {
    const server = await startServer();
    const proxy = await tcpProxy(server.url);
    const client = cometdClient(`${proxy.url}/genesys/cometd`, { transport: "websocket", handshake: { ext: { gms_user: "browser" } } });
    const handshakes: Message[] = [];
    client.cometd.addListener("/meta/handshake", (m: Message) => {
      handshakes.push(m);
      if (m.successful === true && handshakes.length > 1) client.cometd.subscribe("/_genesys", (msg: Message) => client.received.push(msg));
    });
    try {
      await client.handshake();
      await client.subscribe("/_genesys");
      const first = client.cometd.getClientId();
      proxy.cut();
      await until(() => handshakes.filter((m) => m.successful === true).length === 2, 10_000, "a second handshake");
      assert.notEqual(client.cometd.getClientId(), first);
      assert.equal(server.app.bayeux.sessions.get(client.cometd.getClientId() ?? "")?.identity, "browser");
      await until(() => server.app.bayeux.sessions.get(client.cometd.getClientId() ?? "")?.subscriptions.has("/_genesys") === true, 5000, "re-subscribed");
      server.app.bayeux.deliver("customer", "browser", "/_genesys", { after: "reconnect" });
      await until(() => client.received.length === 1, 5000, "the delivery");
      assert.deepEqual(client.received[0]?.data, { after: "reconnect" });
    } finally {
      await client.disconnect();
      await proxy.close();
      await server.close();
    }
  });

  it("naming itself in every message, resumes its own clientId after a lost socket and gets what waited", async () => {
    const server = await startServer();
    const proxy = await tcpProxy(server.url);
    const client = cometdClient(`${proxy.url}/genesys/cometd`, { transport: "websocket" });
    client.cometd.registerExtension("gms_user", {
      outgoing: (m: Message) => {
        m.ext = { ...(m.ext ?? {}), gms_user: "resumer" };
        return m;
      },
    });
    try {
      await client.handshake();
      await client.subscribe("/_genesys");
      const clientId = client.cometd.getClientId();
      await until(() => server.app.bayeux.stats().parked === 1, 5000, "a held connect");
      proxy.cut();
      server.app.bayeux.deliver("customer", "resumer", "/_genesys", { while: "away" });
      const [message] = await client.waitFor(1, 10_000);
      assert.deepEqual(message?.data, { while: "away" });
      assert.equal(client.cometd.getClientId(), clientId, "the same client, no new handshake");
    } finally {
      await client.disconnect();
      await proxy.close();
      await server.close();
    }
  });
});

describe("the official client with GMS_USER_SECRET", () => {
  const secret = "official-client-secret-0123456789-0123456789";
  const token = (user: string) =>
    new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(user).setExpirationTime("5m").sign(new TextEncoder().encode(secret));

  it("proves its user with the gms_user_token header over long-polling and in the ext over WebSocket", async () => {
    const server = await startServer({ env: { GMS_USER_SECRET: secret } });
    const polling = cometdClient(`${server.url}/genesys/cometd`, {
      transport: "long-polling",
      headers: { gms_user: "lp", gms_user_token: await token("lp") },
    });
    const socket = cometdClient(`${server.url}/genesys/cometd`, {
      transport: "websocket",
      handshake: { ext: { gms_user: "ws", gms_user_token: await token("ws") } },
    });
    const bare = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: "lp" });
    try {
      assert.equal((await polling.handshake()).successful, true);
      assert.equal((await socket.handshake()).successful, true);
      const refused = await new Promise<Message>((resolve) => {
        bare.cometd.configure({ maxBackoff: 0 } as never);
        bare.cometd.handshake((m: Message) => {
          resolve(m);
          bare.cometd.disconnect();
        });
      });
      // The refusal comes as HTTP 400 (spec decision 5), which the client reports as a failed handshake.
      assert.equal(refused.successful, false);
      assert.equal(server.app.bayeux.sessions.size, 2, "no session for the unproven claim");
    } finally {
      await Promise.all([polling.disconnect(), socket.disconnect()]);
      await server.close();
    }
  });
});

/**
 * GMS_USER_SECRET: a gms_user counts only with a JWT signed with the secret whose `sub` is that
 * user, as a header (HTTP, JSONP as a query parameter) or in a WebSocket message's ext.
 * Without the secret, gms_user stays a plain claim, as in GMS.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { gmsUserVerifier } from "../../src/access/gms-user.ts";
import { rawBayeux, wsBayeux, type RawBayeux } from "../support/bayeux.ts";
import { chatInteraction, postForm } from "../support/chat.ts";
import { assertGmsError, present, startServer, type TestServer } from "../support/server.ts";

const SECRET = "test-secret-0123456789-0123456789-abcdef";

/** What an app's back end does for its user: the README's example. */
function tokenFor(user: string, options: { secret?: string; expiresIn?: string } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

let server: TestServer;
let bx: RawBayeux;
before(async () => {
  server = await startServer({ env: { GMS_USER_SECRET: SECRET } });
  bx = rawBayeux(`${server.url}/genesys/cometd`);
});
after(() => server.close());

const handshake = [{ channel: "/meta/handshake", version: "1.0" }];

describe("with GMS_USER_SECRET, over HTTP", () => {
  it("refuses a bare gms_user claim: 403::gms_user required", async () => {
    const reply = await bx.post(handshake, { gms_user: "alice" });
    assert.equal(reply.body[0].error, "403::gms_user required");
  });

  it("accepts the user with a token whose sub is that user, and the token alone", async () => {
    const token = await tokenFor("alice");
    const named = await bx.post(handshake, { gms_user: "alice", gms_user_token: token });
    assert.equal(named.body[0].successful, true);
    const alone = await bx.post(handshake, { gms_user_token: token });
    assert.equal(alone.body[0].successful, true);
    const session = present(server.app.bayeux.sessions.get(alone.body[0].clientId), "the handshaken session");
    assert.equal(session.identity, "alice");
  });

  it("refuses a token for another user, an expired one, one signed with another secret, and garbage", async () => {
    const cases = [
      { gms_user: "victim", gms_user_token: await tokenFor("mallory") },
      { gms_user: "alice", gms_user_token: await tokenFor("alice", { expiresIn: "-1m" }) },
      { gms_user: "alice", gms_user_token: await tokenFor("alice", { secret: "another-secret-0123456789-0123456789" }) },
      { gms_user: "alice", gms_user_token: "not.a.jwt" },
    ];
    for (const headers of cases) {
      const reply = await bx.post(handshake, headers);
      assert.equal(reply.body[0].error, "403::gms_user required", JSON.stringify(headers));
    }
  });

  it("a client of alice is unknown to a request proving mallory", async () => {
    const alice = await bx.post(handshake, { gms_user_token: await tokenFor("alice") });
    const clientId = alice.body[0].clientId;
    const reply = await bx.post([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user_token: await tokenFor("mallory") });
    assert.equal(reply.body[0].error, "402::Unknown client");
  });
});

describe("with GMS_USER_SECRET, over WebSocket", () => {
  it("binds the socket on a handshake ext carrying the token", async () => {
    const socket = await wsBayeux(server.url, "/genesys/cometd");
    const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "bob", gms_user_token: await tokenFor("bob") } }]);
    assert.equal(hs?.successful, true);
    socket.ws.close();
  });

  it("refuses a handshake whose ext names a user without proof", async () => {
    const socket = await wsBayeux(server.url, "/genesys/cometd");
    const [hs] = await socket.send([{ channel: "/meta/handshake", version: "1.0", ext: { gms_user: "bob" } }]);
    assert.equal(hs?.error, "403::gms_user required");
    socket.ws.close();
  });
});

describe("gmsUserVerifier", () => {
  it("without a secret, takes the claim as it is (GMS), within 256 characters", async () => {
    const verify = gmsUserVerifier(null);
    assert.deepEqual(await verify("anyone", null), { user: "anyone", proven: false, customerId: null });
    assert.equal(await verify("x".repeat(257), null), null);
    assert.equal(await verify(null, null), null);
  });

  it("with a secret, requires exp and an HMAC algorithm", async () => {
    const verify = gmsUserVerifier(SECRET);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("a").sign(new TextEncoder().encode(SECRET));
    assert.equal(await verify("a", noExp), null);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"a","exp":9999999999}').toString("base64url")}.`;
    assert.equal(await verify("a", none), null);
    assert.deepEqual(await verify("a", await tokenFor("a")), { user: "a", proven: true, customerId: null });
  });
});

describe("with GMS_USER_SECRET, on the Chat API", () => {
  it("a service belongs to the proven user; a bare claim or another user's token gets 403; the token is never attached data", async () => {
    const token = await tokenFor("alice");
    const created = await postForm(`${server.url}/genesys/1/service/request-chat`, { topic: "x" }, { gms_user: "alice", gms_user_token: token });
    assert.equal(created.status, 200, created.text);
    const id = created.body._id as string;
    assertGmsError(await postForm(`${server.url}/genesys/1/service/${id}/ixn/chat`, {}, { gms_user: "alice" }), 403, "ForbiddenException");
    assertGmsError(
      await postForm(`${server.url}/genesys/1/service/${id}/ixn/chat`, {}, { gms_user_token: await tokenFor("mallory") }),
      403,
      "ForbiddenException",
    );
    const started = await postForm(`${server.url}/genesys/1/service/${id}/ixn/chat?gms_user_token=${encodeURIComponent(token)}`, { firstName: "Al" });
    assert.equal(started.status, 200, started.text);
    const service = present(await server.app.store.chats.get(id), "the service");
    const ix = await chatInteraction(server, id);
    assert.equal(JSON.stringify(ix.properties).includes(token), false, "the token is not attached data");
    assert.equal(JSON.stringify(service.data).includes(token), false);
  });
});

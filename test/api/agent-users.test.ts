/**
 * Agent API users and access: the start-up admin, HTTP Basic with a session cookie after the
 * first success, the GWS error body, the admin user API, and agent CometD with the same
 * credentials. Role names, paths and fields are interfaces other tools rely on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, basic, cookiePair } from "../support/agents.ts";
import { rawBayeux } from "../support/bayeux.ts";
import { cometdClient } from "../support/cometd.ts";
import { call, startServer, type Reply, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: string;
/** What each login asked to wait (the wait itself is skipped: no test here waits on time). */
const loginDelays: number[] = [];
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD }, loginDelay: async (ms) => void loginDelays.push(ms) });
  api = `${server.url}/api/v2`;
});
after(() => server.close());

const asAdmin = ADMIN;
const request = (method: string, path: string, headers: Record<string, string>, body?: unknown) => call(method, `${api}${path}`, body, headers);

function assertGwsError(reply: Reply, status: number, statusCode: number): string {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.body.status, "error");
  assert.equal(reply.body.statusCode, statusCode);
  assert.equal(typeof reply.body.statusMessage, "string");
  assert.equal(reply.body.errorDescription, reply.body.statusMessage);
  return reply.body.statusMessage;
}

async function createAgent(userName: string, extra: object = {}): Promise<string> {
  const reply = await request("POST", "/users", asAdmin, { userName, password: `${userName}-password`, roles: ["ROLE_AGENT"], ...extra });
  assert.equal(reply.status, 200, reply.text);
  return reply.body.id;
}

describe("authentication", () => {
  it("PARLEY_ADMIN_PASSWORD creates admin; Basic works and opens a JSESSIONID session", async () => {
    const reply = await request("GET", "/me", asAdmin);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.statusCode, 0);
    assert.equal(reply.body.status, "ok");
    assert.equal(reply.body.user.userName, "admin");
    assert.deepEqual(reply.body.user.roles, ["ROLE_ADMIN"]);
    const cookie = reply.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^JSESSIONID=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    const again = await request("GET", "/me", { cookie: cookiePair(cookie) });
    assert.equal(again.body.user.userName, "admin", "the cookie alone authenticates");
  });

  it("checks a password once per session: neither the cookie nor repeated Basic runs scrypt again", async () => {
    await createAgent("once");
    const first = await request("GET", "/me", basic("once", "once-password"));
    const checks = server.app.authentication.passwordChecks;
    const cookie = cookiePair(first.headers.get("set-cookie") ?? "");
    for (let i = 0; i < 5; i++) assert.equal((await request("GET", "/me", { cookie })).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await request("GET", "/me", basic("once", "once-password"))).status, 200);
    assert.equal(server.app.authentication.passwordChecks, checks);
  });

  it("answers wrong, unknown and missing credentials alike: 401, statusCode 20, a Basic challenge", async () => {
    const bodies = [];
    const attempts: Record<string, string>[] = [
      basic("admin", "wrong-password"),
      basic("nobody", ADMIN_PASSWORD),
      {},
      { cookie: "JSESSIONID=forged-forged-forged-forged" },
      { authorization: "Basic !!!" },
    ];
    for (const headers of attempts) {
      const reply = await request("GET", "/me", headers);
      assertGwsError(reply, 401, 20);
      assert.match(reply.headers.get("www-authenticate") ?? "", /^Basic realm="parley"/);
      bodies.push(reply.text);
    }
    assert.equal(new Set(bodies).size, 1, "no hint of which part was wrong");
  });

  it("challenges no page's own request (X-Requested-With), so the browser does not prompt over the page's login form", async () => {
    const reply = await request("GET", "/me", { ...basic("admin", "wrong-password"), "x-requested-with": "XMLHttpRequest" });
    assertGwsError(reply, 401, 20);
    assert.equal(reply.headers.get("www-authenticate"), null);
  });

  it("slows down repeated failures for one user name", async () => {
    await createAgent("target");
    for (let i = 0; i < 4; i++) await request("GET", "/me", basic("target", "guess"));
    assert.equal(server.app.authentication.failureCount("target", "127.0.0.1"), 4);
    loginDelays.length = 0;
    await request("GET", "/me", basic("target", "guess"));
    assert.deepEqual(loginDelays, [200], "the fifth failure waited 200 ms before being checked");
    assert.equal((await request("GET", "/me", basic("target", "target-password"))).status, 200, "the right password still works");
    assert.equal(server.app.authentication.failureCount("target", "127.0.0.1"), 0);
  });
});

describe("users (ROLE_ADMIN)", () => {
  it("creates a user: {statusCode: 0, id}, the id /me shows; never the password", async () => {
    const reply = await request("POST", "/users", asAdmin, {
      userName: "ada",
      password: "ada-password",
      firstName: "Ada",
      lastName: "Lovelace",
      roles: ["ROLE_AGENT", "ROLE_SUPERVISOR"],
      skills: [{ name: "english", level: 7 }],
      capacity: { chat: 2 },
    });
    assert.deepEqual(Object.keys(reply.body).sort(), ["id", "status", "statusCode"]);
    const me = await request("GET", "/me", basic("ada", "ada-password"));
    assert.equal(me.body.user.id, reply.body.id);
    assert.deepEqual(me.body.user.skills, [{ name: "english", level: 7 }]);
    assert.deepEqual(me.body.user.capacity, { chat: 2, openmedia: 3, email: 3, sms: 3 });
    const fetched = await request("GET", `/users/${reply.body.id}`, asAdmin);
    assert.equal(fetched.body.user.lastName, "Lovelace");
    assert.doesNotMatch(fetched.text + me.text + (await request("GET", "/users", asAdmin)).text, /scrypt|password/i);
  });

  it("updates and deletes a user; a deleted user's credentials and sessions stop working", async () => {
    const id = await createAgent("temp");
    const session = cookiePair((await request("GET", "/me", basic("temp", "temp-password"))).headers.get("set-cookie") ?? "");
    assert.equal((await request("PUT", `/users/${id}`, asAdmin, { firstName: "Temp", password: "new-password" })).body.statusCode, 0);
    assertGwsError(await request("GET", "/me", basic("temp", "temp-password")), 401, 20);
    assert.equal((await request("GET", "/me", basic("temp", "new-password"))).body.user.firstName, "Temp");
    assert.equal((await request("DELETE", `/users/${id}`, asAdmin)).body.statusCode, 0);
    assertGwsError(await request("GET", "/me", { cookie: session }), 401, 20);
    assertGwsError(await request("GET", `/users/${id}`, asAdmin), 404, 6);
  });

  it("refuses bad input and taken names with the GWS codes, changing nothing", async () => {
    assertGwsError(await request("POST", "/users", asAdmin, { userName: "x" }), 400, 1);
    assert.match(assertGwsError(await request("POST", "/users", asAdmin, { userName: "r", password: "r-password", roles: ["ROLE_GOD"] }), 400, 1), /roles/);
    assertGwsError(await request("POST", "/users", asAdmin, { userName: "bad name", password: "password1" }), 400, 1);
    assertGwsError(await request("POST", "/users", asAdmin, { userName: "short", password: "short" }), 400, 1);
    await createAgent("taken");
    assertGwsError(await request("POST", "/users", asAdmin, { userName: "taken", password: "password1" }), 409, 2);
    assertGwsError(await request("PUT", "/users/nobody", asAdmin, { firstName: "x" }), 404, 6);
    assertGwsError(await request("GET", "/nothing-here", asAdmin), 404, 6);
  });

  it("is for ROLE_ADMIN only: an agent gets 403, statusCode 5", async () => {
    await createAgent("plain");
    const agent = basic("plain", "plain-password");
    assertGwsError(await request("POST", "/users", agent, { userName: "sneaky", password: "password1" }), 403, 5);
    assertGwsError(await request("GET", "/users", agent), 403, 5);
    assert.equal((await request("GET", "/me", agent)).status, 200);
  });
});

describe("agent CometD (/api/v2/notifications)", () => {
  it("the official client authenticates with the session cookie alone", async () => {
    await createAgent("cookied");
    const cookie = cookiePair((await request("GET", "/me", basic("cookied", "cookied-password"))).headers.get("set-cookie") ?? "");
    const client = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: { cookie } });
    try {
      assert.equal((await client.handshake()).successful, true);
    } finally {
      await client.disconnect();
    }
  });

  it("handshakes with Basic credentials or the session cookie, and refuses without", async () => {
    await createAgent("notified");
    const bx = rawBayeux(`${server.url}/api/v2/notifications`);
    const handshake = [{ channel: "/meta/handshake", version: "1.0" }];
    const withBasic = await bx.post(handshake, basic("notified", "notified-password"));
    assert.equal(withBasic.body[0].successful, true);
    const cookie = cookiePair((await request("GET", "/me", basic("notified", "notified-password"))).headers.get("set-cookie") ?? "");
    assert.equal((await bx.post(handshake, { cookie })).body[0].successful, true);
    assert.equal((await bx.post(handshake)).body[0].error, "403::authentication required");
    assert.equal((await bx.post(handshake, basic("notified", "wrong"))).body[0].error, "403::authentication required");
  });
});

/**
 * Password checks must not be a lever on the CPU (issue 15, item 6): failed logins are limited
 * per client address (429 before any password is checked, on REST, internal-poke and agent
 * CometD), guesses on one name are checked one at a time with the name's delay taken in turn,
 * and a full queue of checks answers 503 at once; sessions and other addresses go on meanwhile.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi, basic, type Headers } from "../support/agents.ts";
import { rawBayeux, wsBayeux } from "../support/bayeux.ts";
import { call, startServer, until, type Reply, type TestServer } from "../support/server.ts";

const from = (address: string): Headers => ({ "x-forwarded-for": address });

function assertGws(reply: Reply, status: number, statusCode: number): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.body.status, "error");
  assert.equal(reply.body.statusCode, statusCode);
}

/** A login delay the test releases by hand, recording what each attempt was to wait. */
function heldDelays() {
  const asked: number[] = [];
  const held: (() => void)[] = [];
  return {
    asked,
    held,
    delay: (ms: number) =>
      new Promise<void>((resolve) => {
        asked.push(ms);
        held.push(resolve);
      }),
    releaseNext() {
      held.shift()?.();
    },
  };
}

describe("failed logins per client address", () => {
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, TRUST_PROXY: "true", LOGIN_FAILURES_PER_IP: "5" } });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("past LOGIN_FAILURES_PER_IP, 429 with Retry-After before any password is checked; other addresses and sessions go on", async () => {
    const agent = await api.createAgent("flooded");
    await api.createAgent("unverified");
    const attacker = from("203.0.113.7");
    const login = await api.request("GET", "/me", { ...agent.headers, ...attacker });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const checks = server.app.authentication.passwordChecks;
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => api.request("GET", "/me", { ...basic(`guess${i}`, "wrong"), ...attacker })));
    assert.deepEqual(replies.map((r) => r.status).sort(), [...Array(5).fill(401), ...Array(15).fill(429)]);
    assert.equal(server.app.authentication.passwordChecks, checks + 5, "only the allowed failures ran scrypt");
    const refused = replies.find((r) => r.status === 429);
    assert.ok(refused !== undefined);
    assertGws(refused, 429, 4);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);

    const checksNow = server.app.authentication.passwordChecks;
    assertGws(await api.request("GET", "/me", { ...basic("unverified", "unverified-password"), ...attacker }), 429, 4);
    assert.equal(server.app.authentication.passwordChecks, checksNow, "even the right password is not checked from there");
    assert.equal((await api.request("GET", "/me", { cookie, ...attacker })).status, 200, "a session cookie needs no password check");
    assert.equal((await api.request("GET", "/me", { ...agent.headers, ...attacker })).status, 200, "nor do credentials verified a moment ago");
    assert.equal((await api.request("GET", "/me", { ...basic("admin", ADMIN_PASSWORD), ...from("198.51.100.1") })).status, 200);
  });

  it("holds for internal-poke (Chat API) and for agent CometD over HTTP and WebSocket", async () => {
    const attacker = from("203.0.113.9");
    for (let i = 0; i < 5; i++) await api.request("GET", "/me", { ...basic("nobody", "wrong"), ...attacker });
    const poke = await call("POST", `${server.url}/genesys/1/service/any-service/internal-poke`, undefined, { ...basic("nobody", "wrong"), ...attacker });
    assert.equal(poke.status, 429, poke.text);
    assert.equal(poke.body.exception, "TooManyRequestsException");
    assert.ok(Number(poke.headers.get("retry-after")) >= 1);

    const bx = rawBayeux(`${server.url}/api/v2/notifications`);
    const handshake = await bx.post([{ channel: "/meta/handshake", version: "1.0", id: "1" }], { ...basic("nobody", "wrong"), ...attacker });
    assert.equal(handshake.status, 429);
    assert.ok(Number(handshake.headers.get("retry-after")) >= 1);
    assert.equal(handshake.body[0].channel, "/meta/handshake");
    assert.equal(handshake.body[0].successful, false);
    assert.equal(handshake.body[0].id, "1");
    assert.match(handshake.body[0].error, /^429::too many failed logins/);

    await assert.rejects(wsBayeux(server.url, "/api/v2/notifications", { ...basic("nobody", "wrong"), ...attacker }), /Unexpected server response: 429/);
  });
});

describe("guesses on one user name", () => {
  const delays = heldDelays();
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD }, loginDelay: delays.delay });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("are checked one at a time, each after the delay the previous failures earned", async () => {
    await api.createAgent("target");
    // Three failures are free (no delay): the fourth attempt waits.
    for (let i = 0; i < 3; i++) assertGws(await api.request("GET", "/me", basic("target", "guess")), 401, 20);
    const auth = server.app.authentication;
    const checks = auth.passwordChecks;
    // Each a different password: the same credentials at once would share one check.
    const guesses = Array.from({ length: 5 }, (_, i) => api.request("GET", "/me", basic("target", `guess${i}`)));
    // Four are in flight for the name (one in its delay, three waiting their turn); the fifth is refused.
    await until(() => auth.waitingLogins === 4 && delays.asked.length === 1, 5000, "four guesses in flight");
    for (let i = 1; i <= 4; i++) {
      assert.equal(delays.held.length, 1, "one guess at a time takes its delay");
      delays.releaseNext();
      await until(() => auth.passwordChecks === checks + i, 5000, `check ${i}`);
      if (i < 4) await until(() => delays.asked.length === i + 1, 5000, `guess ${i + 1} in its turn`);
    }
    const replies = await Promise.all(guesses);
    assert.deepEqual(replies.map((r) => r.status).sort(), [401, 401, 401, 401, 429]);
    assert.deepEqual(delays.asked, [100, 200, 400, 800], "each waited what the failures before it earned: parallel guesses are no faster than serial ones");
    assert.equal(auth.failureCount("target", "127.0.0.1"), 7);
  });
});

describe("guesses on one user name from one address", () => {
  const delays = heldDelays();
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, TRUST_PROXY: "true" }, loginDelay: delays.delay });
    api = agentApi(server.url);
  });
  after(async () => {
    // Whatever a failed assertion left held must end, or closing would wait for it.
    const release = setInterval(() => delays.releaseNext(), 1);
    await server.close();
    clearInterval(release);
  });

  it("never hold up the name's owner logging in from another address: no delay of theirs, no 429", async () => {
    const owner = await api.createAgent("owned");
    const attacker = from("203.0.113.66");
    for (let i = 0; i < 3; i++) assertGws(await api.request("GET", "/me", { ...basic("owned", "guess"), ...attacker }), 401, 20);
    // The attacker's next guesses wait in their delay (held by the test), as many as a turn takes.
    const guesses = Array.from({ length: 5 }, (_, i) => api.request("GET", "/me", { ...basic("owned", `guess${i}`), ...attacker }));
    await until(() => delays.asked.length === 1, 5000, "a guess in its delay");
    // Were the owner in the attacker's line, this would wait for delays nobody releases.
    const login = await Promise.race([
      api.request("GET", "/me", { ...owner.headers, ...from("198.51.100.1") }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the owner's login waited behind the guesses")), 5000).unref()),
    ]);
    assert.equal(login.status, 200, login.text);
    assert.equal(server.app.authentication.failureCount("owned", "198.51.100.1"), 0);
    while (delays.held.length > 0 || server.app.authentication.waitingLogins > 0) {
      delays.releaseNext();
      await until(() => delays.held.length > 0 || server.app.authentication.waitingLogins === 0, 5000, "the next guess");
    }
    assert.deepEqual((await Promise.all(guesses)).map((r) => r.status).sort(), [401, 401, 401, 401, 429]);
  });
});

describe("the same credentials sent at once", () => {
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("share one password check: a script's first twenty requests in parallel all pass, none refused as too many", async () => {
    const agent = await api.createAgent("scripted");
    const checks = server.app.authentication.passwordChecks;
    const replies = await Promise.all(Array.from({ length: 20 }, () => api.request("GET", "/me", agent.headers)));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    assert.equal(server.app.authentication.passwordChecks, checks + 1);
  });
});

describe("a full queue of password checks", () => {
  const delays = heldDelays();
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGIN_MAX_PENDING: "3" }, loginDelay: delays.delay });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("answers a new attempt 503 with Retry-After at once, before any scrypt; a session cookie still works", async () => {
    const agent = await api.createAgent("queued");
    await api.createAgent("late");
    const cookie = ((await api.request("GET", "/me", agent.headers)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const adminCookie = ((await api.request("GET", "/me", ADMIN)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    for (let i = 0; i < 3; i++) await api.request("GET", "/me", basic("slow", "guess"));
    const auth = server.app.authentication;
    const waiting = Array.from({ length: 3 }, (_, i) => api.request("GET", "/me", basic("slow", `guess${i}`)));
    await until(() => auth.waitingLogins === 3, 5000, "three logins waiting");
    const checks = auth.passwordChecks;

    const refused = await api.request("GET", "/me", basic("late", "late-password"));
    assertGws(refused, 503, 4);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    const bayeux = await rawBayeux(`${server.url}/api/v2/notifications`).post([{ channel: "/meta/handshake", version: "1.0" }], basic("queued", "other"));
    assert.equal(bayeux.status, 503);
    assert.match(bayeux.body[0].error, /^503::/);
    assert.equal(auth.passwordChecks, checks, "no scrypt ran for the refused attempts");
    assert.equal((await api.request("GET", "/me", { cookie })).status, 200, "a valid session never waits in the queue");
    assert.equal((await api.request("GET", "/users", { cookie: adminCookie })).status, 200);

    while (delays.held.length > 0 || auth.waitingLogins > 0) {
      delays.releaseNext();
      await until(() => delays.held.length > 0 || auth.waitingLogins === 0, 5000, "the next guess");
    }
    assert.deepEqual(
      (await Promise.all(waiting)).map((r) => r.status),
      [401, 401, 401],
    );
    assert.equal((await api.request("GET", "/me", basic("late", "late-password"))).status, 200, "room again");
  });
});

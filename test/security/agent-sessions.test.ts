/**
 * Sessions must not outlive what they stand for (issue 15, item 7): a password change, a disable
 * and a delete end the user's login sessions and close their agent CometD clients (on every
 * node); logout and GWS's EndContactCenterSession end the caller's session; a disabled user is
 * no target for Transfer or StartConference, and routing offers them nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryHub } from "../../src/bus/memory.ts";
import { ADMIN, ADMIN_PASSWORD, agentApi, type Headers, type TestAgent } from "../support/agents.ts";
import { wsBayeux, type WsBayeux } from "../support/bayeux.ts";
import { cometdClient } from "../support/cometd.ts";
import { present, startServer, until, type Reply, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50", ROUTING_OFFER_TIMEOUT_MS: "60000" } });
  api = agentApi(server.url);
});
after(() => server.close());

const CLEARED = "JSESSIONID=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

/** Logs in with Basic and returns the session cookie (`JSESSIONID=...`). */
async function login(agent: TestAgent): Promise<Headers> {
  const reply = await api.request("GET", "/me", agent.headers);
  assert.equal(reply.status, 200, reply.text);
  const cookie = (reply.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  assert.match(cookie, /^JSESSIONID=[\w-]+$/);
  return { cookie };
}

/** A second client's session: its own spelling of the Authorization scheme, so its credentials are checked anew. */
async function anotherLogin(agent: TestAgent): Promise<Headers> {
  const authorization = (agent.headers.authorization ?? "").replace(/^Basic /, "basic ");
  const cookie = await login({ ...agent, headers: { authorization } });
  assert.notDeepEqual(cookie, await login(agent));
  return cookie;
}

/** The code the server closed `socket` with, within a deadline. */
async function closeCodeOf(socket: WsBayeux): Promise<number> {
  await until(() => socket.ws.readyState === socket.ws.CLOSED, 5000, "the socket to be closed");
  return socket.closeCode;
}

function assertUnauthenticated(reply: Reply, message?: string): void {
  assert.equal(reply.status, 401, message ?? reply.text);
  assert.equal(reply.body.statusCode, 20);
}

/** A queue of its own per test, so agents of other tests never get its work. */
let queues = 0;
async function isolatedQueue(skill: string): Promise<string> {
  const name = `sq${++queues}`;
  assert.equal((await api.request("POST", "/queues", ADMIN, { name, skills: [{ name: skill, level: 1 }] })).body.statusCode, 0);
  return name;
}

describe("a user's sessions end with their password, their access or their user", () => {
  for (const [change, body] of [
    ["a password change", { password: "a-brand-new-password" }],
    ["a disable", { enabled: false }],
  ] as const) {
    it(`${change}: the old cookie is 401`, async () => {
      const agent = await api.createAgent(`ended-${Object.keys(body)[0]}`);
      const cookie = await login(agent);
      const other = await anotherLogin(agent);
      assert.equal((await api.request("PUT", `/users/${agent.id}`, ADMIN, body)).body.statusCode, 0);
      // Enabled again (a no-op after a password change), the old sessions stay ended.
      assert.equal((await api.request("PUT", `/users/${agent.id}`, ADMIN, { enabled: true })).body.statusCode, 0);
      assertUnauthenticated(await api.request("GET", "/me", cookie));
      assertUnauthenticated(await api.request("GET", "/me", other));
      if ("password" in body) assertUnauthenticated(await api.request("GET", "/me", agent.headers), "the old password no longer works");
    });
  }

  it("a delete: the old cookie is 401", async () => {
    const agent = await api.createAgent("ended-delete");
    const cookie = await login(agent);
    assert.equal((await api.request("DELETE", `/users/${agent.id}`, ADMIN)).body.statusCode, 0);
    assertUnauthenticated(await api.request("GET", "/me", cookie));
  });

  it("another change (a name) leaves the sessions alone", async () => {
    const agent = await api.createAgent("renamed");
    const cookie = await login(agent);
    assert.equal((await api.request("PUT", `/users/${agent.id}`, ADMIN, { firstName: "Renamed" })).body.statusCode, 0);
    assert.equal((await api.request("GET", "/me", cookie)).body.user.firstName, "Renamed");
  });
});

describe("a disabled agent", () => {
  it("has their open WebSocket closed: no further interaction data reaches it, and it cannot handshake again", async () => {
    const queue = await isolatedQueue("sockets");
    const agent = await api.createAgent("watched", { skills: [{ name: "sockets", level: 5 }] });
    const cookie = await login(agent);
    const socket = await wsBayeux(server.url, "/api/v2/notifications", cookie);
    const [handshake] = await socket.send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket"] }]);
    assert.equal(handshake?.successful, true);
    const clientId = handshake?.clientId as string;
    await socket.send([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
    const [subscribed] = await socket.send([{ channel: "/meta/subscribe", clientId, subscription: "/v2/me/**" }]);
    assert.equal(subscribed?.successful, true);
    const received: string[] = [];
    socket.ws.on("message", (data: Buffer) => received.push(data.toString()));
    await api.ready(agent);

    assert.equal((await api.request("PUT", `/users/${agent.id}`, ADMIN, { enabled: false })).body.statusCode, 0);
    assert.equal(await closeCodeOf(socket), 1008);
    assert.equal(server.app.bayeux.hasClient("agent", agent.id), false);
    const id = await api.submit({ secret: "for agents only" }, queue);
    server.app.bayeux.deliver("agent", agent.id, "/v2/me/interactions", { id, secret: "for agents only" });
    assert.ok(!received.some((frame) => frame.includes("for agents only")), "nothing about the interaction reached the socket");
    const again = await wsBayeux(server.url, "/api/v2/notifications", cookie);
    const [refused] = await again.send([{ channel: "/meta/handshake", version: "1.0" }]);
    again.ws.close();
    assert.equal(refused?.error, "403::authentication required");
  });

  it("is NotReady everywhere, offered nothing, and what they held goes back to the queue", async () => {
    const queue = await isolatedQueue("disabled");
    const agent = await api.createAgent("benched", { skills: [{ name: "disabled", level: 5 }] });
    await api.ready(agent);
    const held = await api.submit({}, queue);
    await api.sees(agent, held, "Invited");
    assert.equal((await api.operate(agent, held, { operationName: "Accept" })).body.statusCode, 0);

    assert.equal((await api.request("PUT", `/users/${agent.id}`, ADMIN, { enabled: false })).body.statusCode, 0);
    const waiting = await api.submit({}, queue);
    const state = async (id: string) => (await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction.state;
    await server.app.router.settle();
    assert.equal(await state(held), "Queued", "the accepted interaction went back to its queue");
    assert.equal(await state(waiting), "Queued");

    // Enabled again, the agent is still NotReady (reason Disabled) until they say otherwise.
    assert.equal((await api.request("PUT", `/users/${agent.id}`, ADMIN, { enabled: true })).body.statusCode, 0);
    await server.app.router.settle();
    const channels = (await api.request("GET", "/me/channels", agent.headers)).body.channels as { userState: { state: string; reason?: string } }[];
    assert.deepEqual(new Set(channels.map((c) => `${c.userState.state}:${c.userState.reason}`)), new Set(["NotReady:Disabled"]));
    assert.equal(await state(waiting), "Queued");
  });

  it("is no target for Transfer or StartConference: 404, statusCode 6, as an unknown user", async () => {
    const queue = await isolatedQueue("targets");
    const owner = await api.createAgent("owner", { skills: [{ name: "targets", level: 5 }] });
    const target = await api.createAgent("off-duty", { enabled: false });
    await api.ready(owner);
    const id = await api.submit({}, queue);
    await api.sees(owner, id, "Invited");
    await api.operate(owner, id, { operationName: "Accept" });
    const transfer = await api.operate(owner, id, { operationName: "Transfer", targetId: target.id });
    assert.deepEqual([transfer.status, transfer.body.statusCode], [404, 6]);
    const conference = await api.operate(owner, id, { operationName: "StartConference", agentId: target.id });
    assert.deepEqual([conference.status, conference.body.statusCode], [404, 6]);
    assert.deepEqual(
      (await api.mine(owner)).filter((ix) => ix.id === id).map((ix) => ix.state),
      ["Accepted"],
      "nothing changed",
    );
  });
});

describe("logout", () => {
  it("POST /api/v2/me/logout ends the cookie's session and clears the cookie", async () => {
    const agent = await api.createAgent("leaver");
    const cookie = await login(agent);
    const other = await anotherLogin(agent);
    const reply = await api.request("POST", "/me/logout", cookie);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.body, { status: "ok", statusCode: 0 });
    assert.equal(reply.headers.get("set-cookie"), CLEARED);
    assertUnauthenticated(await api.request("GET", "/me", cookie));
    assert.equal((await api.request("GET", "/me", other)).status, 200, "another session of the user stays");
  });

  it("closes the WebSocket that cookie opened, with its clients, on every node; another desktop's socket stays", async () => {
    const agent = await api.createAgent("socket-leaver");
    const cookie = await login(agent);
    const other = await anotherLogin(agent);
    const sockets = [];
    for (const headers of [cookie, other]) {
      const socket = await wsBayeux(server.url, "/api/v2/notifications", headers);
      const [handshake] = await socket.send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket"] }]);
      assert.equal(handshake?.successful, true);
      sockets.push(socket);
    }
    assert.equal((await api.request("POST", "/me/logout", cookie)).status, 200);
    const [loggedOut, going] = [present(sockets[0], "the logged-out cookie's socket"), present(sockets[1], "the other session's socket")];
    assert.equal(await closeCodeOf(loggedOut), 1008, "the logged-out cookie's socket");
    const [still] = await going.send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket"] }]);
    assert.equal(still?.successful, true, "the other session's socket goes on");
    going.ws.close();
  });

  it("a JSESSIONID another site tossed ahead of ours does not log the agent out", async () => {
    const agent = await api.createAgent("tossed");
    const { cookie } = await login(agent);
    const reply = await api.request("GET", "/me", { cookie: `JSESSIONID=${"t".repeat(32)}; ${cookie}` });
    assert.equal(reply.status, 200, reply.text);
  });

  it("with Basic only, forgets the verified credentials: the next request checks the password again and gets a new session", async () => {
    const agent = await api.createAgent("basic-leaver");
    const first = await login(agent);
    const logout = await api.request("POST", "/me/logout", agent.headers);
    assert.equal(logout.headers.get("set-cookie"), CLEARED);
    assertUnauthenticated(await api.request("GET", "/me", first), "the session the credentials had opened ended too");
    const checks = server.app.authentication.passwordChecks;
    const second = await login(agent);
    assert.equal(server.app.authentication.passwordChecks, checks + 1);
    assert.notDeepEqual(second, first);
  });

  it("remembered Basic credentials never hand out a token whose session ended", async () => {
    const agent = await api.createAgent("remembered");
    const cookie = await login(agent);
    assert.equal((await api.request("POST", "/me/logout", cookie)).status, 200);
    const again = await login(agent);
    assert.notDeepEqual(again, cookie, "a new session, not the ended one");
    assert.equal((await api.request("GET", "/me", again)).status, 200);
  });

  it('POST /api/v2/me {"operationName": "EndContactCenterSession"}: NotReady everywhere, offers withdrawn, the cookie ends', async () => {
    const queue = await isolatedQueue("leaving");
    const agent = await api.createAgent("end-of-shift", { skills: [{ name: "leaving", level: 5 }] });
    const cookie = await login(agent);
    const url = `${server.url}/api/v2/notifications`;
    const desktop = cometdClient(url, { transport: "long-polling", headers: cookie });
    try {
      assert.equal((await desktop.handshake()).successful, true);
      assert.equal((await api.request("POST", "/me", cookie, { operationName: "Ready" })).body.statusCode, 0);
      const id = await api.submit({}, queue);
      await api.sees(agent, id, "Invited");
      const reply = await api.request("POST", "/me", cookie, { operationName: "EndContactCenterSession" });
      assert.deepEqual([reply.status, reply.body], [200, { status: "ok", statusCode: 0 }]);
      assert.equal(reply.headers.get("set-cookie"), CLEARED);
      assertUnauthenticated(await api.request("GET", "/me", cookie));
      assert.equal(server.app.bayeux.hasClient("agent", agent.id), false, "the agent's CometD clients are closed");
      assert.deepEqual(await api.mine(agent), [], "the offer was withdrawn");
      assert.equal((await api.request("GET", `/interactions/${id}`, ADMIN)).body.interaction.state, "Queued");
      const channels = (await api.request("GET", "/me/channels", agent.headers)).body.channels as { userState: { state: string; reason?: string } }[];
      assert.deepEqual(new Set(channels.map((c) => `${c.userState.state}:${c.userState.reason}`)), new Set(["NotReady:LoggedOut"]));
    } finally {
      await desktop.disconnect();
    }
  });
});

describe("revoking an agent on a cluster", () => {
  it("closes their WebSocket and ends their long-poll on another node", async () => {
    const hub = new MemoryHub();
    const authenticateAgent = (req: { headers: { authorization?: string } }) => (req.headers.authorization === "Bearer roamer" ? "roamer" : null);
    const a = await startServer({ memoryHub: hub, authenticateAgent });
    const b = await startServer({ memoryHub: hub, authenticateAgent });
    const socket = await wsBayeux(b.url, "/api/v2/notifications", { authorization: "Bearer roamer" });
    const poller = cometdClient(`${b.url}/api/v2/notifications`, { transport: "long-polling", headers: { authorization: "Bearer roamer" } });
    try {
      const [handshake] = await socket.send([{ channel: "/meta/handshake", version: "1.0" }]);
      assert.equal(handshake?.successful, true);
      assert.equal((await poller.handshake()).successful, true);
      const pollerId = poller.cometd.getClientId() ?? "";
      const socketId = String(handshake?.clientId);
      assert.ok(b.app.bayeux.sessions.has(pollerId) && b.app.bayeux.sessions.has(socketId));
      a.app.bayeux.revoke("agent", "roamer");
      assert.equal(await closeCodeOf(socket), 1008);
      await until(() => !b.app.bayeux.sessions.has(pollerId) && !b.app.bayeux.sessions.has(socketId), 5000, "node b forgets the clients");
    } finally {
      await poller.disconnect();
      await a.close();
      await b.close();
    }
  });
});

/**
 * The authorization matrix of the agent API: every endpoint x role x relation to the
 * interaction (owner, invited, stranger). One place decides (access/), REST and CometD alike;
 * an interaction one may not see answers 404, never 403.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi, type Headers } from "../support/agents.ts";
import { present, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
const who: Record<string, Headers> = {};
const headersOf = (role: string): Headers => present(who[role], `an agent in role ${role}`);
let ix = "";
let n = 0;

before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50" } });
  api = agentApi(server.url);
  who.admin = ADMIN;
  who.supervisor = (await api.createAgent("m-supervisor", {}, ["ROLE_SUPERVISOR"])).headers;
  const owner = await api.createAgent("m-owner", { skills: [{ name: "matrix", level: 1 }] });
  const invited = await api.createAgent("m-invited");
  who.owner = owner.headers;
  who.invited = invited.headers;
  who.stranger = (await api.createAgent("m-stranger")).headers;
  await api.request("POST", "/queues", ADMIN, { name: "matrix", skills: [{ name: "matrix", level: 1 }] });
  await api.ready(owner);
  ix = await api.submit({}, "matrix");
  await api.sees(owner, ix, "Invited");
  await api.operate(owner, ix, { operationName: "Accept" });
  await api.operate(owner, ix, { operationName: "Transfer", targetId: invited.id });
  await api.sees(invited, ix, "Invited");
});
after(() => server.close());

type Row = [string, () => [string, string, unknown?], Record<string, number>];
const all = (status: number) => ({ admin: status, supervisor: status, owner: status, invited: status, stranger: status });
const MATRIX: Row[] = [
  ["list users", () => ["GET", "/users"], { ...all(403), admin: 200 }],
  ["create a user", () => ["POST", "/users", { userName: `m-new${++n}`, password: "password1" }], { ...all(403), admin: 200 }],
  ["list queues (agents: names and skills only)", () => ["GET", "/queues"], all(200)],
  ["create a queue", () => ["POST", "/queues", { name: `m-q${++n}` }], { ...all(403), admin: 200 }],
  ["submit an interaction", () => ["POST", "/interactions", { mediaType: "openmedia", queue: "default" }], { ...all(403), admin: 200 }],
  ["list all interactions", () => ["GET", "/interactions"], { ...all(403), admin: 200, supervisor: 200 }],
  ["read the interaction", () => ["GET", `/interactions/${ix}`], { ...all(200), stranger: 404 }],
  [
    "update its properties (PUT)",
    () => ["PUT", `/interactions/${ix}`, { properties: { k: ++n } }],
    { admin: 404, supervisor: 404, owner: 200, invited: 409, stranger: 404 },
  ],
  [
    "operate on it",
    () => ["POST", `/me/interactions/${ix}`, { operationName: "UpdateProperties", properties: { k: ++n } }],
    { admin: 404, supervisor: 404, owner: 200, invited: 409, stranger: 404 },
  ],
  ["list one's own interactions", () => ["GET", "/me/interactions"], all(200)],
  ["read oneself", () => ["GET", "/me"], all(200)],
];

describe("agent API authorization matrix", () => {
  for (const [name, build, expected] of MATRIX) {
    it(name, async () => {
      const got: Record<string, number> = {};
      for (const role of Object.keys(expected)) {
        const [method, path, body] = build();
        got[role] = (await api.request(method, path, headersOf(role), body)).status;
      }
      assert.deepEqual(got, expected);
    });
  }

  it("an agent's interactions list holds only what involves them", async () => {
    const ids = async (role: string) =>
      ((await api.request("GET", "/me/interactions?fields=*", headersOf(role))).body.interactions as { id: string }[]).map((i) => i.id);
    // The owner is Ready: what the matrix submitted to the default queue may have reached them too.
    assert.ok((await ids("owner")).includes(ix));
    assert.deepEqual(await ids("invited"), [ix]);
    assert.deepEqual(await ids("stranger"), []);
  });
});

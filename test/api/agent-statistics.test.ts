/**
 * Agents' statistics for today (issue 21): `GET /api/v2/me/statistics` and, for supervisors and
 * admins, `GET /api/v2/users/{id}/statistics`. Time per channel state and reason (after-call work
 * included), interactions handled and their average handle time, over a day that starts at
 * midnight in STATISTICS_TIME_ZONE; the clock is the test's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { manualClock, startServer, type TestServer } from "../support/server.ts";

const MIN = 60_000;
// 09:00 in Paris (UTC+1): the day began at 23:00 UTC the day before.
const clock = manualClock(Date.parse("2026-03-02T08:00:00.000Z"));
const dir = mkdtempSync(join(tmpdir(), "parley-statistics-"));
let server: TestServer;
let api: ReturnType<typeof agentApi>;
let ann: TestAgent;
let bob: TestAgent;
let supervisor: TestAgent;

before(async () => {
  const file = join(dir, "parley.json");
  writeFileSync(file, JSON.stringify({ queues: [{ name: "stats", skills: [{ name: "stats", level: 1 }], wrapUpSeconds: 60 }] }));
  server = await startServer({
    now: clock.now,
    env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, PARLEY_CONFIG: file, STATISTICS_TIME_ZONE: "Europe/Paris", ROUTING_OFFER_TIMEOUT_MS: "3600000" },
  });
  api = agentApi(server.url);
  ann = await api.createAgent("stat-ann", { skills: [{ name: "stats", level: 1 }], capacity: { openmedia: 1 } });
  bob = await api.createAgent("stat-bob");
  supervisor = await api.createAgent("stat-sup", {}, ["ROLE_SUPERVISOR"]);
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const statistics = async (who: TestAgent, path: string) => {
  const reply = await api.request("GET", path, who.headers);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.statistics;
};
const admin: TestAgent = { id: "admin", headers: ADMIN };
const idle = (channel: string) => ({ channel, states: [], interactionsHandled: 0, averageHandleSeconds: null, wrapUpSeconds: 0 });

describe("agent statistics", () => {
  it("give today's time per state and reason, wrap-up included, interactions handled and their average handle time", async () => {
    await api.ready(ann);
    clock.advance(10 * MIN);
    assert.equal((await api.request("POST", "/me/channels/openmedia", ann.headers, { operationName: "OutToLunch" })).body.statusCode, 0);
    clock.advance(30 * MIN);
    await api.ready(ann);
    clock.advance(5 * MIN);
    const id = await api.submit({}, "stats");
    await api.sees(ann, id, "Invited");
    await api.operate(ann, id, { operationName: "Accept" });
    clock.advance(2 * MIN);
    await api.operate(ann, id, { operationName: "StopProcessing" });
    clock.advance(MIN);
    await server.app.housekeeping.sweep();
    clock.advance(MIN);

    assert.deepEqual(await statistics(ann, "/me/statistics"), {
      userId: ann.id,
      date: "today",
      timeZone: "Europe/Paris",
      since: "2026-03-01T23:00:00.000Z",
      until: "2026-03-02T08:49:00.000Z",
      interactionsHandled: 1,
      averageHandleSeconds: 120,
      wrapUpSeconds: 60,
      channels: [
        idle("chat"),
        {
          channel: "openmedia",
          states: [
            { state: "Ready", reason: null, seconds: (10 + 5 + 2 + 1) * 60 },
            { state: "NotReady", reason: "Lunch", seconds: 30 * 60 },
            { state: "AfterCallWork", reason: "AfterCallWork", seconds: 60 },
          ],
          interactionsHandled: 1,
          averageHandleSeconds: 120,
          wrapUpSeconds: 60,
        },
        idle("email"),
        idle("sms"),
      ],
    });
    assert.deepEqual(await statistics(ann, "/me/statistics?date=today"), await statistics(ann, "/me/statistics"));
  });

  it("show supervisors and admins any user's, as that user sees them, and nobody else another's", async () => {
    const own = await statistics(ann, "/me/statistics");
    assert.deepEqual(await statistics(supervisor, `/users/${ann.id}/statistics`), own);
    assert.deepEqual(await statistics(admin, `/users/${ann.id}/statistics?date=today`), own);
    assert.equal((await statistics(bob, `/users/${bob.id}/statistics`)).userId, bob.id, "one's own");

    const foreign = await api.request("GET", `/users/${ann.id}/statistics`, bob.headers);
    const unknown = await api.request("GET", "/users/no-such-user/statistics", bob.headers);
    assert.deepEqual([foreign.status, unknown.status], [404, 404]);
    assert.deepEqual(foreign.body, JSON.parse(unknown.text.replaceAll("no-such-user", ann.id)), "the same answer as for an unknown user");
    const unknownToSupervisor = await api.request("GET", "/users/no-such-user/statistics", supervisor.headers);
    assert.deepEqual(unknownToSupervisor.body, unknown.body);
  });

  it("refuse a date other than today with 400, before anything else", async () => {
    for (const [who, path] of [
      [ann, "/me/statistics?date=yesterday"],
      [ann, "/me/statistics?date="],
      [supervisor, `/users/${ann.id}/statistics?date=2026-03-01`],
      [bob, `/users/${ann.id}/statistics?date=${"x".repeat(300)}`],
    ] as const) {
      const reply = await api.request("GET", path, who.headers);
      assert.deepEqual([reply.status, reply.body.status, reply.body.statusCode], [400, "error", 1], `${path}: ${reply.text}`);
    }
  });

  it("start again at midnight in the statistics time zone", async () => {
    // 00:10 in Paris the next day: ann has been Ready since yesterday.
    clock.advance(Date.parse("2026-03-02T23:10:00.000Z") - clock.now());
    const today = await statistics(ann, "/me/statistics");
    assert.equal(today.since, "2026-03-02T23:00:00.000Z");
    assert.deepEqual(today.channels[1], {
      channel: "openmedia",
      states: [{ state: "Ready", reason: null, seconds: 600 }],
      interactionsHandled: 0,
      averageHandleSeconds: null,
      wrapUpSeconds: 0,
    });
    assert.deepEqual([today.interactionsHandled, today.averageHandleSeconds], [0, null]);
  });
});

/**
 * Live service levels (issue 21): offered, answered and abandoned counted through real chats (v1
 * and v2) and submitted interactions on a clock the test moves; the service level, ASA and AHT
 * as the README defines them, over the last 15 minutes and today, in GET /api/v2/queues and
 * /queues/{name}/statistics (supervisors only); /metrics' queue series; a queue's maxWaiting
 * refusing chats, and the estimated wait customers are told.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD, agentApi, basic, type TestAgent } from "../support/agents.ts";
import { chatApi } from "../support/chat.ts";
import { assertEnvelope, chatV2Api, widgetsStartForm } from "../support/chat-v2.ts";
import { assertGmsError, call, manualClock, type TestServer, startServer } from "../support/server.ts";

const clock = manualClock(Date.parse("2026-03-10T10:00:00.000Z"));
let server: TestServer;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;
const SUPERVISOR = basic("sue");

const configDir = mkdtempSync(join(tmpdir(), "parley-statistics-"));

before(async () => {
  // The config file names the queues and the chat services routed to them.
  const configFile = join(configDir, "parley.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      queues: [
        { name: "sales", skills: [{ name: "sales", level: 1 }], serviceLevelSeconds: 20, shortAbandonSeconds: 5 },
        { name: "est", skills: [{ name: "est", level: 1 }], maxWaiting: 2 },
      ],
      chatServices: [
        { name: "sales-chat", kind: "basic", queue: "sales" },
        { name: "est-chat", kind: "basic", queue: "est" },
        { name: "est-poll", kind: "advanced", queue: "est" },
      ],
    }),
  );
  server = await startServer({
    now: clock.now,
    env: {
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      PARLEY_CONFIG: configFile,
      STATISTICS_TIME_ZONE: "UTC",
      ROUTING_SWEEP_MS: "50",
      // The clock jumps hours: customers stay (silent chats would end), offers wait for the test.
      CHAT_CUSTOMER_TIMEOUT_MS: "86400000",
    },
  });
  api = agentApi(server.url);
  chat = chatApi(server.url);
  await api.createAgent("sue", {}, ["ROLE_SUPERVISOR"]);
  await api.createAgent("pat");
});
after(async () => {
  await server.close();
  rmSync(configDir, { recursive: true, force: true });
});

async function setState(agent: TestAgent, operationName: "Ready" | "NotReady"): Promise<void> {
  assert.equal((await api.request("POST", "/me/channels/chat", agent.headers, { operationName })).body.statusCode, 0);
}

/** A v1 customer opens a chat on `service`; returns its service id and its interaction id. */
async function openChat(service: string): Promise<{ id: string; ix: string }> {
  const id = await chat.create(service);
  const reply = await chat.call(id, "ixn/chat", { nickname: "Cust" });
  assert.equal(reply.status, 200, reply.text);
  return { id, ix: reply.body.chatSessionId as string };
}

async function accept(agent: TestAgent, ix: string): Promise<void> {
  await api.sees(agent, ix, "Invited");
  assert.equal((await api.operate(agent, ix, { operationName: "Accept" })).body.statusCode, 0);
}

async function complete(agent: TestAgent, ix: string): Promise<void> {
  assert.equal((await api.operate(agent, ix, { operationName: "StopProcessing" })).body.statusCode, 0);
}

async function statistics(name: string, headers = SUPERVISOR) {
  const reply = await call("GET", `${server.url}/api/v2/queues/${name}/statistics`, undefined, headers);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.queue;
}

const NOTHING = {
  offered: 0,
  answered: 0,
  answeredWithinServiceLevel: 0,
  abandoned: 0,
  shortAbandoned: 0,
  serviceLevel: null,
  averageSpeedOfAnswerSeconds: null,
  handled: 0,
  averageHandleTimeSeconds: null,
};

describe("queue statistics through real chats and interactions", () => {
  const SALES_TODAY = {
    offered: 5,
    answered: 2,
    answeredWithinServiceLevel: 1,
    abandoned: 2,
    shortAbandoned: 1,
    // 1 answered within 20 s over 2 answered + 2 abandoned - 1 short abandon.
    serviceLevel: 0.3333,
    averageSpeedOfAnswerSeconds: 20,
    handled: 1,
    averageHandleTimeSeconds: 60,
  };

  it("count offered, answered (within the level or not), abandoned (short or not), handled: ASA, AHT and the service level", async () => {
    const ann = await api.createAgent("ann", { skills: [{ name: "sales", level: 1 }] });
    // Answered after 10 s (within 20 s), handled for 60 s.
    const first = await openChat("sales-chat");
    clock.advance(10_000);
    await setState(ann, "Ready");
    await accept(ann, first.ix);
    clock.advance(60_000);
    await complete(ann, first.ix);
    // Answered after 30 s: outside the service level; still being handled.
    await setState(ann, "NotReady");
    const second = await openChat("sales-chat");
    clock.advance(30_000);
    await setState(ann, "Ready");
    await accept(ann, second.ix);
    await setState(ann, "NotReady");
    // A v1 customer who leaves after 3 s: a short abandon, left out of the service level.
    const third = await openChat("sales-chat");
    clock.advance(3_000);
    assert.equal((await chat.call(third.id, "ixn/chat/disconnect")).status, 200);
    // A v2 customer who leaves after 8 s: abandoned, against the service level.
    const v2 = chatV2Api(server.url, "sales-chat");
    const fourth = await v2.start(widgetsStartForm());
    clock.advance(8_000);
    assert.equal(assertEnvelope((await v2.op(fourth, "disconnect")).body).chatEnded, true);
    // Submitted open media waits: offered, the longest current wait.
    await api.submit({}, "sales");
    clock.advance(4_000);

    const sales = await statistics("sales");
    assert.deepEqual(
      { ...sales, statistics: undefined },
      {
        name: "sales",
        skills: [{ name: "sales", level: 1 }],
        waiting: 1,
        longestWaitSeconds: 4,
        agents: { qualified: 1, ready: 0 },
        serviceLevelSeconds: 20,
        shortAbandonSeconds: 5,
        maxWaiting: null,
        statistics: undefined,
        overflowed: 0,
      },
    );
    assert.deepEqual(sales.statistics, { last15Minutes: SALES_TODAY, today: SALES_TODAY });
  });

  it("show the same in GET /api/v2/queues to supervisors and admins, and none of it to agents", async () => {
    for (const headers of [SUPERVISOR, ADMIN]) {
      const queues = (await call("GET", `${server.url}/api/v2/queues`, undefined, headers)).body.queues;
      const sales = queues.find((q: { name: string }) => q.name === "sales");
      assert.deepEqual(sales, await statistics("sales"));
      assert.deepEqual(queues.find((q: { name: string }) => q.name === "default").statistics.today, NOTHING);
    }
    const seen = (await call("GET", `${server.url}/api/v2/queues`, undefined, basic("pat"))).body.queues;
    assert.deepEqual(
      seen.find((q: { name: string }) => q.name === "sales"),
      { name: "sales", skills: [{ name: "sales", level: 1 }] },
    );
  });

  it("refuse an agent (403), an unknown queue (404), a name no queue can have (400) and no credentials (401), in the GWS error body", async () => {
    const refused = async (path: string, headers: Record<string, string>, status: number, statusCode: number) => {
      const reply = await call("GET", `${server.url}/api/v2/queues/${path}/statistics`, undefined, headers);
      assert.equal(reply.status, status, reply.text);
      assert.equal(reply.body.status, "error");
      assert.equal(reply.body.statusCode, statusCode);
      assert.equal(typeof reply.body.errorDescription, "string");
    };
    await refused("sales", basic("pat"), 403, 5);
    await refused("nope", SUPERVISOR, 404, 6);
    await refused("x".repeat(65), SUPERVISOR, 400, 1);
    await refused("sales", {}, 401, 20);
    await refused(encodeURIComponent("../\u0000%"), SUPERVISOR, 404, 6);
  });

  it("publish /metrics series labelled by queue: counters, wait and handle histograms, gauges", async () => {
    const text = (await call("GET", `${server.url}/metrics`)).text;
    for (const line of [
      'parley_queue_offered_total{queue="sales"} 5',
      'parley_queue_answered_total{queue="sales"} 2',
      'parley_queue_abandoned_total{queue="sales"} 2',
      'parley_queue_handled_total{queue="sales"} 1',
      'parley_queue_wait_seconds_bucket{le="10",queue="sales",outcome="answered"} 1',
      'parley_queue_wait_seconds_bucket{le="30",queue="sales",outcome="answered"} 2',
      'parley_queue_wait_seconds_count{queue="sales",outcome="abandoned"} 2',
      'parley_queue_wait_seconds_sum{queue="sales",outcome="abandoned"} 11',
      'parley_queue_handle_seconds_bucket{le="60",queue="sales"} 1',
      'parley_queue_handle_seconds_sum{queue="sales"} 60',
      'parley_queue_waiting{queue="sales"} 1',
      'parley_queue_longest_wait_seconds{queue="sales"} 4',
      'parley_queue_service_level{queue="sales",window="today"} 0.3333',
      'parley_queue_service_level{queue="sales",window="15m"} 0.3333',
      'parley_queue_waiting{queue="default"} 0',
    ]) {
      assert.ok(
        text.split("\n").includes(line),
        `${line} in\n${text
          .split("\n")
          .filter((l) => l.includes("parley_queue"))
          .join("\n")}`,
      );
    }
    assert.ok(!text.includes('parley_queue_service_level{queue="default"'), "no service level where none is defined");
  });

  it("slide: the last 15 minutes empty out, today keeps its figures until midnight in STATISTICS_TIME_ZONE", async () => {
    clock.advance(16 * 60_000);
    const later = await statistics("sales");
    assert.deepEqual(later.statistics.last15Minutes, NOTHING);
    assert.deepEqual(later.statistics.today, SALES_TODAY);
    assert.equal(later.longestWaitSeconds, 4 + 16 * 60);
    // 10:17 UTC + 14 h: the next day.
    clock.advance(14 * 3600_000);
    assert.deepEqual((await statistics("sales")).statistics.today, NOTHING);
  });
});

describe("a full queue (maxWaiting) and the estimated wait customers are told", () => {
  it("the estimate: the place in line over the Ready qualified agents, times the measured mean handle time", async () => {
    const eve = await api.createAgent("eve", { skills: [{ name: "est", level: 1 }], capacity: { chat: 1 } });
    await setState(eve, "Ready");
    // Handle times of 60 s and 120 s: a mean of 90 s.
    for (const seconds of [60, 120]) {
      const handled = await openChat("est-chat");
      await accept(eve, handled.ix);
      clock.advance(seconds * 1000);
      await complete(eve, handled.ix);
    }
    // eve holds one (her capacity), two more wait: the queue is full.
    await accept(eve, (await openChat("est-chat")).ix);
    const waiting = await openChat("est-chat");
    await openChat("est-chat");
    const poll = await chat.create("est-poll");
    const status = await chat.call(poll, "status");
    assert.equal(status.status, 200, status.text);
    // A newcomer is third in line with one agent serving: 3 rounds of 90 s.
    assert.deepEqual([status.body.message._status, status.body.message._estimated_wait_seconds], ["waiting", 270]);

    const full = "queue est is full (2 waiting): try again later; the estimated wait is 270 seconds";
    const refused = await chat.call(await chat.create("est-chat"), "ixn/chat", { nickname: "Late" });
    assert.equal(assertGmsError(refused, 503, "ServiceUnavailableException").message, full);
    const v2 = await call("POST", `${server.url}/genesys/2/chat/est-chat/`, new URLSearchParams(widgetsStartForm()).toString(), {
      "content-type": "application/x-www-form-urlencoded",
    });
    assert.equal(v2.status, 400, v2.text);
    assert.deepEqual(
      assertEnvelope(v2.body, false).errors?.map((e) => [e.code, e.message]),
      [[240, full]],
    );

    // One customer leaves: room again; a newcomer would be second, 2 rounds.
    assert.equal((await chat.call(waiting.id, "ixn/chat/disconnect")).status, 200);
    const again = await chat.call(poll, "status");
    assert.deepEqual([again.body.message._status, again.body.message._estimated_wait_seconds], ["waiting", 180]);
    await openChat("est-chat");
    assert.equal((await statistics("est")).waiting, 2);
  });
});

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let serviceId: number;
before(async () => {
  server = await startServer();
  serviceId = (await post(`${server.cs}/services/start`, { customer_id: "C-states" })).body.service_id;
});
after(() => server.close());

const url = (path: string) => `${server.cs}/services/${serviceId}${path}`;

describe("Start State and Complete State", () => {
  it("answers 201 with a per-service 32-bit id and a Location", async () => {
    const first = await post(url("/states/start"), { state_type: 1, service_id: serviceId });
    const second = await post(url("/states/start"), { state_type: 2 });
    assert.equal(first.status, 201);
    assert.equal(second.body.state_id, first.body.state_id + 1);
    assert.equal(first.headers.get("location"), url(`/states/${first.body.state_id}`));
  });

  it("completes once; a second completion is refused", async () => {
    const { state_id } = (await post(url("/states/start"), { state_type: 3 })).body;
    assert.equal((await post(url(`/states/${state_id}/end`), { disposition: "OK" })).status, 204);
    const state = (await get(url(`/states/${state_id}`))).body;
    assert.equal(state.disposition, "OK");
    assert.equal(state.service_id, serviceId);
    assertGmsError(await post(url(`/states/${state_id}/end`)), 400, "InvalidStateException");
  });

  it("answers 404 for an unknown state or service", async () => {
    assertGmsError(await post(url("/states/4242/end")), 404, "NotFoundException");
    assertGmsError(await get(url("/states/4242")), 404, "NotFoundException");
    assertGmsError(await post(`${server.cs}/services/77777777/states/start`, {}), 404, "NotFoundException");
  });
});

describe("Perform State Transition", () => {
  it("completes from and starts to atomically, with shared fields on both", async () => {
    const from = (await post(url("/states/start"), { state_type: 7 })).body.state_id;
    const reply = await post(url("/states/transition"), {
      session_id: "sess-1",
      from: { state_id: from, disposition: 1, disposition_desc: "SUCCESS", Feedback: { rating: 7 } },
      to: { state_type: 8, est_duration: 500, Sponsoring: { rank: "first" } },
    });
    assert.equal(reply.status, 201);
    const to = reply.body.state_id;
    assert.equal(reply.headers.get("location"), url(`/states/${to}`));
    const old = (await get(url(`/states/${from}?extensions=*`))).body;
    assert.equal(old.disposition_desc, "SUCCESS");
    assert.equal(old.completed.session_id, "sess-1");
    assert.deepEqual(old.Feedback, { rating: 7 });
    const fresh = (await get(url(`/states/${to}?extensions=Sponsoring`))).body;
    assert.equal(fresh.state_type, 8);
    assert.equal(fresh.est_duration, 500);
    assert.equal(fresh.previous_state_id, from);
    assert.equal(fresh.started.session_id, "sess-1");
    assert.deepEqual(fresh.Sponsoring, { rank: "first" });
  });

  it("refuses a transition from a completed state and starts nothing", async () => {
    const from = (await post(url("/states/start"), {})).body.state_id;
    await post(url(`/states/${from}/end`));
    const before = (await get(url("/states"))).body.length;
    assertGmsError(await post(url("/states/transition"), { from: { state_id: from }, to: {} }), 400, "InvalidStateException");
    assert.equal((await get(url("/states"))).body.length, before);
  });

  it("needs from.state_id and to, and an existing state", async () => {
    const missing = assertGmsError(await post(url("/states/transition"), { to: {} }), 400, "BadRequestException");
    assert.match(missing.message, /^from: is required/);
    const typed = assertGmsError(await post(url("/states/transition"), { from: { state_id: "x" }, to: {} }), 400, "BadRequestException");
    assert.match(typed.message, /^from\.state_id: must be an integer/);
    const unknown = assertGmsError(await post(url("/states/transition"), { from: { state_id: 999 }, to: {} }), 400, "BadRequestException");
    assert.match(unknown.message, /has no state 999/);
  });
});

describe("Query States", () => {
  it("lists all, active and completed, filters by type and nests the state's own tasks", async () => {
    const sid = (await post(`${server.cs}/services/start`, { customer_id: "C-qs" })).body.service_id;
    const base = `${server.cs}/services/${sid}`;
    const a = (await post(`${base}/states/start`, { state_type: "A" })).body.state_id;
    const b = (await post(`${base}/states/start`, { state_type: "B" })).body.state_id;
    await post(`${base}/states/${a}/end`);
    await post(`${base}/tasks/start`, { state_id: b, task_type: "t1" });
    await post(`${base}/tasks/start`, { task_type: "loose" });
    assert.equal((await get(`${base}/states`)).body.length, 2);
    assert.deepEqual(
      (await get(`${base}/states/active`)).body.map((s: { state_id: number }) => s.state_id),
      [b],
    );
    assert.deepEqual(
      (await get(`${base}/states/completed`)).body.map((s: { state_id: number }) => s.state_id),
      [a],
    );
    assert.deepEqual(
      (await get(`${base}/states?state_types=A`)).body.map((s: { state_id: number }) => s.state_id),
      [a],
    );
    const [withTasks] = (await get(`${base}/states/active?active_tasks=true`)).body;
    assert.deepEqual(
      withTasks.active_tasks.map((t: { task_type: string }) => t.task_type),
      ["t1"],
    );
  });
});

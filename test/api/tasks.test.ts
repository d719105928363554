import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

async function newService(): Promise<string> {
  const id = (await post(`${server.cs}/services/start`, { customer_id: "C-tasks" })).body.service_id;
  return `${server.cs}/services/${id}`;
}

describe("Start Task", () => {
  it("answers 201, Location and {task_id} (seed 000)", async () => {
    const base = await newService();
    const reply = await post(`${base}/tasks/start`, { task_type: "customer info", est_duration: 460 });
    assert.equal(reply.status, 201);
    assert.deepEqual(Object.keys(reply.body), ["task_id"]);
    assert.equal(reply.headers.get("location"), `${base}/tasks/${reply.body.task_id}`);
  });

  it("attaches to a state of the service, and refuses a state it does not have", async () => {
    const base = await newService();
    const state = (await post(`${base}/states/start`, {})).body.state_id;
    const task = (await post(`${base}/tasks/start`, { state_id: state })).body.task_id;
    assert.equal((await get(`${base}/tasks/${task}`)).body.state_id, state);
    const refused = assertGmsError(await post(`${base}/tasks/start`, { state_id: 999 }), 400, "BadRequestException");
    assert.match(refused.message, /^state_id: /);
    assert.equal((await get(`${base}/tasks`)).body.length, 1, "the refused task was not created");
  });

  it("answers 404 for an unknown service", async () => {
    assertGmsError(await post(`${server.cs}/services/31337/tasks/start`, {}), 404, "NotFoundException");
  });
});

describe("Complete Task and Query Tasks", () => {
  it("completes once, lists by status, state and type, and selects extensions", async () => {
    const base = await newService();
    const state = (await post(`${base}/states/start`, {})).body.state_id;
    const t1 = (await post(`${base}/tasks/start`, { task_type: "STT-A", state_id: state, Survey: { q: 1 } })).body.task_id;
    const t2 = (await post(`${base}/tasks/start`, { task_type: "STT-B" })).body.task_id;
    assert.equal((await post(`${base}/tasks/${t1}/end`, { disposition_desc: "ok" })).status, 204);
    assertGmsError(await post(`${base}/tasks/${t1}/end`), 400, "InvalidStateException");
    const ids = async (path: string) => (await get(`${base}${path}`)).body.map((t: { task_id: number }) => t.task_id);
    assert.deepEqual(await ids("/tasks"), [t1, t2]);
    assert.deepEqual(await ids("/tasks/active"), [t2]);
    assert.deepEqual(await ids("/tasks/completed"), [t1]);
    assert.deepEqual(await ids(`/tasks?state_id=${state}`), [t1]);
    assert.deepEqual(await ids("/tasks?task_types=STT-B%2CSTT-C"), [t2]);
    const [done] = (await get(`${base}/tasks/completed?extensions=Survey`)).body;
    assert.deepEqual(done.Survey, { q: 1 });
    assert.equal(done.disposition_desc, "ok");
  });

  it("answers 404 for an unknown task", async () => {
    const base = await newService();
    assertGmsError(await get(`${base}/tasks/5`), 404, "NotFoundException");
    assertGmsError(await post(`${base}/tasks/5/end`), 404, "NotFoundException");
  });
});

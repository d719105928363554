import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, call, get, post, put, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let base: string;
let stateId: number;
let taskId: number;
before(async () => {
  server = await startServer();
  const id = (await post(`${server.cs}/services/start`, { customer_id: "C-ext", Profile: { a: 1, b: 2 } })).body.service_id;
  base = `${server.cs}/services/${id}`;
  stateId = (await post(`${base}/states/start`, { Feedback: { rating: 1 } })).body.state_id;
  taskId = (await post(`${base}/tasks/start`, { Proposal: [{ car: "cabriolet" }] })).body.task_id;
});
after(() => server.close());

describe("Update Extension", () => {
  it("replaces a service extension with any JSON", async () => {
    assert.equal((await put(`${base}/extensions/Profile`, [1, 2, 3])).status, 200);
    assert.deepEqual((await get(`${base}?extensions=Profile`)).body.Profile, [1, 2, 3]);
    await put(`${base}/extensions/Profile`, { a: 1, b: 2 });
  });

  it("replaces state and task extensions (task also by POST, as the docs' heading says)", async () => {
    assert.equal((await put(`${base}/states/${stateId}/extensions/Feedback`, { rating: 9 })).status, 200);
    assert.deepEqual((await get(`${base}/states/${stateId}?extensions=Feedback`)).body.Feedback, { rating: 9 });
    assert.equal((await post(`${base}/tasks/${taskId}/extensions/Proposal`, [{ car: "suv" }])).status, 200);
    assert.deepEqual((await get(`${base}/tasks/${taskId}?extensions=Proposal`)).body.Proposal, [{ car: "suv" }]);
  });

  it("selects nested extensions with State. and Task. prefixes", async () => {
    const service = (await get(`${base}?active_states=true&active_tasks=true&extensions=State.Feedback,Task.*`)).body;
    assert.equal(service.Profile, undefined);
    assert.deepEqual(service.active_states[0].Feedback, { rating: 9 });
    assert.deepEqual(service.active_tasks[0].Proposal, [{ car: "suv" }]);
  });

  it("needs a body and refuses reserved names", async () => {
    assertGmsError(await call("PUT", `${base}/extensions/Empty`), 400, "BadRequestException");
    assertGmsError(await put(`${base}/extensions/started`, { x: 1 }), 400, "BadRequestException");
    assert.equal((await get(`${base}?extensions=*`)).body.started.x, undefined);
  });

  it("answers 404 for unknown owners", async () => {
    assertGmsError(await put(`${base}/states/999/extensions/X`, {}), 404, "NotFoundException");
    assertGmsError(await put(`${base}/tasks/999/extensions/X`, {}), 404, "NotFoundException");
    assertGmsError(await put(`${server.cs}/services/8888888/extensions/X`, {}), 404, "NotFoundException");
  });
});

describe("Merge Extension Data", () => {
  it("adds and replaces keys of an object extension, or creates it", async () => {
    assert.equal((await put(`${base}/extensions/Profile/merge`, { b: 3, c: 4 })).status, 200);
    assert.deepEqual((await get(`${base}?extensions=Profile`)).body.Profile, { a: 1, b: 3, c: 4 });
    await put(`${base}/states/${stateId}/extensions/Fresh/merge`, { x: 1 });
    assert.deepEqual((await get(`${base}/states/${stateId}?extensions=Fresh`)).body.Fresh, { x: 1 });
  });

  it("refuses to merge arrays, into or from", async () => {
    assertGmsError(await put(`${base}/tasks/${taskId}/extensions/Proposal/merge`, { car: "x" }), 400, "BadRequestException");
    assertGmsError(await put(`${base}/extensions/Profile/merge`, [1]), 400, "BadRequestException");
    assert.deepEqual((await get(`${base}?extensions=Profile`)).body.Profile, { a: 1, b: 3, c: 4 });
  });
});

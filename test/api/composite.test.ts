import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

const element = (extra: object = {}) => ({
  service: { customer_id: "C-comp", service_type: "booking", Cart: { items: 1 } },
  state: { state_type: "search", Filters: { stars: 3 } },
  task: { task_type: "dates" },
  associate_state_task: true,
  ...extra,
});

describe("Composite Start", () => {
  it("creates service, state and task when nothing matches (200, Location of the task)", async () => {
    const reply = await post(`${server.cs}/services_composite/start`, { services: [element()] });
    assert.equal(reply.status, 200);
    const [r] = reply.body;
    assert.deepEqual({ service: r.service_created, state: r.state_created, task: r.task_created }, { service: true, state: true, task: true });
    assert.equal(reply.headers.get("location"), `${server.cs}/services/${r.service_id}/tasks/${r.task_id}`);
    const task = (await get(`${server.cs}/services/${r.service_id}/tasks/${r.task_id}`)).body;
    assert.equal(task.state_id, r.state_id, "associate_state_task attaches the task to the state");
  });

  it("finds the active service, state and task with the same keys instead of creating", async () => {
    const [again] = (await post(`${server.cs}/services_composite/start`, { services: [element()] })).body;
    assert.equal(again.service_created, false);
    assert.equal(again.state_created, false);
    assert.equal(again.task_created, false);
    assert.equal((await get(`${server.cs}/customers/C-comp/services`)).body.length, 1);
  });

  it("with update_extensions=true writes only the named extensions of found objects", async () => {
    const body = {
      services: [
        {
          service: { customer_id: "C-comp", service_type: "booking", update_extensions: true, Cart: { items: 2 } },
          state: { state_type: "search", Filters: { stars: 5 } },
        },
      ],
    };
    const [r] = (await post(`${server.cs}/services_composite/start`, body)).body;
    assert.equal(r.service_created, false);
    const service = (await get(`${server.cs}/services/${r.service_id}?extensions=*&active_states=true`)).body;
    assert.deepEqual(service.Cart, { items: 2 });
    assert.deepEqual(service.active_states[0].Filters, { stars: 5 });
  });

  it("without update_extensions leaves found objects unchanged", async () => {
    const body = { services: [{ service: { customer_id: "C-comp", service_type: "booking", Cart: { items: 99 } }, state: { state_type: "search" } }] };
    const [r] = (await post(`${server.cs}/services_composite/start`, body)).body;
    assert.deepEqual((await get(`${server.cs}/services/${r.service_id}?extensions=Cart`)).body.Cart, { items: 2 });
  });

  it("create_new_services forces a new service", async () => {
    const [r] = (await post(`${server.cs}/services_composite/start?create_new_services=true`, { services: [element()] })).body;
    assert.equal(r.service_created, true);
  });

  it("is all or nothing: a bad element creates nothing", async () => {
    const before = (await get(`${server.cs}/customers/C-comp-atomic/services`)).body.length;
    const bad = {
      services: [
        { service: { customer_id: "C-comp-atomic" }, state: {} },
        { service: { customer_id: "C-comp-atomic" }, state: { started: 1 } },
      ],
    };
    assertGmsError(await post(`${server.cs}/services_composite/start`, bad), 400, "BadRequestException");
    assert.equal((await get(`${server.cs}/customers/C-comp-atomic/services`)).body.length, before);
  });

  it("needs a non-empty services array with a service and a state each", async () => {
    assertGmsError(await post(`${server.cs}/services_composite/start`, { services: [] }), 400, "BadRequestException");
    const missing = assertGmsError(await post(`${server.cs}/services_composite/start`, { services: [{ service: {} }] }), 400, "BadRequestException");
    assert.match(missing.message, /services\.0\.state: is required/);
  });
});

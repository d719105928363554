/**
 * Context Services maintenance: Purge Services by operation and cutoff, and Export Services as a
 * JSON stream (ids, or the services with their states, tasks and extensions), page by page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

const OLD = "2020-01-01T00:00:00.000Z";
const CUTOFF = "2021-01-01T00:00:00.000Z";

async function start(body: object): Promise<string> {
  const reply = await post(`${server.cs}/services/start`, body);
  assert.equal(reply.status, 201, reply.text);
  return String(reply.body.service_id);
}

async function exists(sid: string): Promise<boolean> {
  return (await get(`${server.cs}/services/${sid}`)).status === 200;
}

describe("POST /maintenance/purge", () => {
  it("deletes what each operation selects among services started before the limit, with their states and tasks", async () => {
    const make = async (anonymous: boolean, completed: boolean, timestamp = OLD) => {
      const sid = await start({ ...(anonymous ? { contact_key: "purge-k" } : { customer_id: "purge-c" }), timestamp });
      await post(`${server.cs}/services/${sid}/states/start`, { state_type: "s" });
      if (completed) await post(`${server.cs}/services/${sid}/end`, {});
      return sid;
    };
    const recent = await make(false, true, "2030-01-01T00:00:00.000Z");
    const openAnon = await make(true, false);
    const openKnown = await make(false, false);
    const doneAnon = await make(true, true);
    const doneKnown = await make(false, true);
    const purge = (operation: string) => post(`${server.cs}/maintenance/purge`, { limit: CUTOFF, operation });

    assert.deepEqual((await purge("purge.service.completed.anonymous")).body, { purged: 1 });
    assert.deepEqual([await exists(doneAnon), await exists(doneKnown), await exists(openAnon)], [false, true, true]);
    assert.deepEqual((await purge("purge.service.started.anonymous")).body, { purged: 1 });
    assert.deepEqual([await exists(openAnon), await exists(openKnown)], [false, true]);
    assert.deepEqual((await purge("purge.service.completed")).body, { purged: 1 });
    assert.equal(await exists(doneKnown), false);
    assert.deepEqual((await purge("purge.service.started")).body, { purged: 1 });
    assert.equal(await exists(openKnown), false);
    assert.deepEqual((await purge("purge.service.all")).body.purged >= 0, true);
    assert.equal(await exists(recent), true, "started after the limit: kept");
    assertGmsError(await get(`${server.cs}/services/${openKnown}/states`), 404, "NotFoundException");
  });

  it("refuses an unknown operation or a missing limit, deleting nothing", async () => {
    const sid = await start({ customer_id: "keep", timestamp: OLD });
    assertGmsError(await post(`${server.cs}/maintenance/purge`, { limit: CUTOFF, operation: "purge.everything" }), 400, "BadRequestException");
    assertGmsError(await post(`${server.cs}/maintenance/purge`, { operation: "purge.service.all" }), 400, "BadRequestException");
    assertGmsError(await post(`${server.cs}/maintenance/purge`, { limit: "yesterday", operation: "purge.service.all" }), 400, "BadRequestException");
    assert.equal(await exists(sid), true);
  });
});

describe("GET /maintenance/services/stream", () => {
  it("streams the ids of services with an event in the range, across pages, in order", async () => {
    const from = "2019-06-01T00:00:00.000Z";
    const ids: string[] = [];
    for (let i = 0; i < 1100; i++) ids.push(await start({ contact_key: `exp-${i}`, timestamp: "2019-06-02T00:00:00.000Z" }));
    const reply = await fetch(`${server.cs}/maintenance/services/stream?time_from=${from}&time_to=2019-07-01T00:00:00.000Z`);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get("transfer-encoding"), "chunked", "streamed, not built whole");
    assert.deepEqual(await reply.json(), ids);
    const none = await get(`${server.cs}/maintenance/services/stream?time_from=2018-01-01T00:00:00Z&time_to=2018-02-01T00:00:00Z`);
    assert.deepEqual(none.body, []);
  });

  it("with export_content: the services with their states, tasks and extensions; filters by event and state", async () => {
    const sid = await start({ customer_id: "exp-content", timestamp: "2018-03-01T00:00:00.000Z", Cart: { n: 1 } });
    const state = (await post(`${server.cs}/services/${sid}/states/start`, { state_type: "s", Note: 1 })).body.state_id as number;
    await post(`${server.cs}/services/${sid}/tasks/start`, { task_type: "t", state_id: state });
    const range = "time_from=2018-02-01T00:00:00Z&time_to=2018-04-01T00:00:00Z";
    const full = (await get(`${server.cs}/maintenance/services/stream?${range}&export_content=true`)).body;
    assert.equal(full.length, 1);
    assert.equal(String(full[0].service_id), sid);
    assert.deepEqual(full[0].Cart, { n: 1 });
    assert.equal(full[0].active_states[0].Note, 1);
    assert.equal(full[0].active_tasks.length, 1);
    assert.deepEqual((await get(`${server.cs}/maintenance/services/stream?${range}&export_content=true&filter_state=inactive`)).body, []);
    assert.equal((await get(`${server.cs}/maintenance/services/stream?${range}&export_content=true&filter_state=active`)).body.length, 1);
    assert.deepEqual((await get(`${server.cs}/maintenance/services/stream?${range}&filter_events=completed`)).body, []);
    assertGmsError(await get(`${server.cs}/maintenance/services/stream?${range}&filter_state=active`), 400, "BadRequestException");
    assertGmsError(await get(`${server.cs}/maintenance/services/stream`), 400, "BadRequestException");
  });
});

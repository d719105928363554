import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, del, get, post, put, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

async function startService(body: object): Promise<number> {
  const reply = await post(`${server.cs}/services/start`, body);
  assert.equal(reply.status, 201, reply.text);
  return reply.body.service_id;
}

describe("Start Service", () => {
  it("answers 201 with the id as a JSON number and a Location", async () => {
    const reply = await post(`${server.cs}/services/start`, { customer_id: "C1", service_type: "MyService1" });
    assert.equal(reply.status, 201);
    assert.equal(typeof reply.body.service_id, "number");
    assert.equal(reply.headers.get("location"), `${server.cs}/services/${reply.body.service_id}`);
  });

  it("stamps the server time when the event has no timestamp and echoes a given one", async () => {
    const stamped = await startService({ contact_key: "k-stamp" });
    const given = await startService({ contact_key: "k-stamp", timestamp: "2009-05-12T12:05:12.145Z" });
    const a = (await get(`${server.cs}/services/${stamped}`)).body;
    const b = (await get(`${server.cs}/services/${given}`)).body;
    assert.match(a.started.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(b.started.timestamp, "2009-05-12T12:05:12.145Z");
  });

  it("echoes business attributes as sent, long or string", async () => {
    const id = await startService({ contact_key: "k-ba", service_type: "1", media_type: 2, application_type: "web" });
    const service = (await get(`${server.cs}/services/${id}`)).body;
    assert.equal(service.service_type, "1");
    assert.equal(service.started.media_type, 2);
    assert.equal(service.started.application_type, "web");
  });

  it("hoists est_duration out of started", async () => {
    const id = await startService({ contact_key: "k-est", est_duration: 86400, session_id: "s1" });
    const service = (await get(`${server.cs}/services/${id}`)).body;
    assert.equal(service.est_duration, 86400);
    assert.deepEqual(Object.keys(service.started).sort(), ["session_id", "timestamp"]);
  });
});

describe("Query Service by ID", () => {
  it("returns extensions only when asked for, named or all", async () => {
    const id = await startService({ contact_key: "k-ext", coupon: { coupon_name: "X" }, relatedOffers: [{ offer_name: "A" }] });
    const none = (await get(`${server.cs}/services/${id}`)).body;
    assert.equal(none.coupon, undefined);
    const named = (await get(`${server.cs}/services/${id}?extensions=coupon`)).body;
    assert.deepEqual(named.coupon, { coupon_name: "X" });
    assert.equal(named.relatedOffers, undefined);
    const all = (await get(`${server.cs}/services/${id}?extensions=*`)).body;
    assert.deepEqual(all.relatedOffers, [{ offer_name: "A" }]);
  });

  it("answers 404 NotFoundException for an unknown or non-numeric id", async () => {
    assertGmsError(await get(`${server.cs}/services/987654321`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/services/383-f9a62aec`), 404, "NotFoundException");
  });
});

describe("Associate Service", () => {
  it("moves an anonymous service to a customer: the last association wins", async () => {
    const id = await startService({ contact_key: "555-0100" });
    assert.equal((await get(`${server.cs}/services/anonymous/555-0100`)).body.length, 1);
    const first = await post(`${server.cs}/customers/CUST-A/services/${id}`, { session_id: "s2", Note: { n: 1 } });
    assert.equal(first.status, 204);
    assert.equal((await get(`${server.cs}/services/anonymous/555-0100`)).body.length, 0);
    assert.equal((await get(`${server.cs}/customers/CUST-A/services`)).body.length, 1);
    await post(`${server.cs}/customers/CUST-B/services/${id}`);
    assert.equal((await get(`${server.cs}/customers/CUST-A/services`)).body.length, 0);
    const [moved] = (await get(`${server.cs}/customers/CUST-B/services?extensions=Note`)).body;
    assert.equal(moved.customer_id, "CUST-B");
    assert.equal(moved.contact_key, "555-0100");
    assert.equal(moved.started.session_id, "s2");
    assert.deepEqual(moved.Note, { n: 1 });
  });

  it("answers 404 for an unknown service", async () => {
    assertGmsError(await post(`${server.cs}/customers/C/services/999999`), 404, "NotFoundException");
  });
});

describe("Complete Service", () => {
  it("completes with 204, hoists the disposition and replaces same-named extensions", async () => {
    const id = await startService({ customer_id: "C-end", Satisfaction: { score: 1 }, Keep: 1 });
    const reply = await post(`${server.cs}/services/${id}/end`, { disposition: 10, disposition_desc: "done", Satisfaction: { score: 9 } });
    assert.equal(reply.status, 204);
    const service = (await get(`${server.cs}/services/${id}?extensions=*`)).body;
    assert.equal(service.disposition, 10);
    assert.equal(service.disposition_desc, "done");
    assert.ok(service.completed.timestamp);
    assert.equal(service.completed.disposition, undefined);
    assert.deepEqual(service.Satisfaction, { score: 9 });
    assert.equal(service.Keep, 1);
  });

  it("accepts an empty body", async () => {
    const id = await startService({ customer_id: "C-empty" });
    const reply = await post(`${server.cs}/services/${id}/end`);
    assert.equal(reply.status, 204);
  });

  it("refuses to complete twice and changes nothing", async () => {
    const id = await startService({ customer_id: "C-twice" });
    await post(`${server.cs}/services/${id}/end`, { disposition: 1 });
    const before = (await get(`${server.cs}/services/${id}`)).body;
    assertGmsError(await post(`${server.cs}/services/${id}/end`, { disposition: 2 }), 400, "InvalidStateException");
    assert.deepEqual((await get(`${server.cs}/services/${id}`)).body, before);
  });

  it("still lets states and tasks start on a completed service (as Genesys's own tests do)", async () => {
    const id = await startService({ customer_id: "C-after" });
    await post(`${server.cs}/services/${id}/end`);
    assert.equal((await post(`${server.cs}/services/${id}/states/start`, { state_type: 1 })).status, 201);
    assert.equal((await post(`${server.cs}/services/${id}/tasks/start`, { task_type: 1 })).status, 201);
  });
});

describe("Query Services by customer and by contact key", () => {
  it("filters active and completed, returns oldest first, and max_services keeps the latest N", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await startService({ customer_id: "C-list", timestamp: `2020-01-0${i + 1}T00:00:00.000Z`, service_type: i % 2 }));
    }
    await post(`${server.cs}/services/${ids[0]}/end`);
    const all = (await get(`${server.cs}/customers/C-list/services`)).body;
    assert.deepEqual(
      all.map((s: { service_id: number }) => s.service_id),
      ids,
    );
    const active = (await get(`${server.cs}/customers/C-list/services/active`)).body;
    assert.deepEqual(
      active.map((s: { service_id: number }) => s.service_id),
      ids.slice(1),
    );
    const completed = (await get(`${server.cs}/customers/C-list/services/completed`)).body;
    assert.deepEqual(
      completed.map((s: { service_id: number }) => s.service_id),
      [ids[0]],
    );
    const latest = (await get(`${server.cs}/customers/C-list/services?max_services=2`)).body;
    assert.deepEqual(
      latest.map((s: { service_id: number }) => s.service_id),
      ids.slice(2),
    );
    const typed = (await get(`${server.cs}/customers/C-list/services?service_types=1`)).body;
    assert.deepEqual(
      typed.map((s: { service_id: number }) => s.service_id),
      [ids[1], ids[3]],
    );
    const window = (await get(`${server.cs}/customers/C-list/services?started_from=2020-01-02T00:00:00.000Z&started_to=2020-01-04T00:00:00.000Z`)).body;
    assert.deepEqual(
      window.map((s: { service_id: number }) => s.service_id),
      [ids[1], ids[2]],
    );
  });

  it("nests active and completed states and tasks when asked", async () => {
    const id = await startService({ customer_id: "C-nest" });
    const s1 = (await post(`${server.cs}/services/${id}/states/start`, { state_type: 1 })).body.state_id;
    await post(`${server.cs}/services/${id}/states/start`, { state_type: 2 });
    await post(`${server.cs}/services/${id}/states/${s1}/end`);
    await post(`${server.cs}/services/${id}/tasks/start`, { task_type: "t" });
    const [service] = (await get(`${server.cs}/customers/C-nest/services/active?active_states=true&completed_states=true&active_tasks=true`)).body;
    assert.equal(service.active_states.length, 1);
    assert.equal(service.completed_states.length, 1);
    assert.equal(service.active_tasks.length, 1);
    assert.equal(service.completed_tasks, undefined);
    assert.equal(service.active_states[0].service_id, undefined, "nested states carry no service_id");
  });

  it("answers an empty list for a customer with no services", async () => {
    const reply = await get(`${server.cs}/customers/nobody/services`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, []);
  });
});

describe("Delete Service and Update Expiration Time", () => {
  it("deletes a service with its states and tasks", async () => {
    const id = await startService({ customer_id: "C-del" });
    await post(`${server.cs}/services/${id}/states/start`, {});
    const reply = await del(`${server.cs}/services/${id}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.text, "");
    assertGmsError(await get(`${server.cs}/services/${id}`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/services/${id}/states`), 404, "NotFoundException");
    assertGmsError(await del(`${server.cs}/services/${id}`), 404, "NotFoundException");
  });

  it("updates the expiration with ttl or expiration_time, and needs one of them", async () => {
    const id = await startService({ customer_id: "C-exp" });
    assert.equal((await put(`${server.cs}/services/${id}`, { ttl: 3600 })).status, 200);
    assert.equal((await put(`${server.cs}/services/${id}`, { expiration_time: "2030-01-01T00:00:00.000Z" })).status, 200);
    assertGmsError(await put(`${server.cs}/services/${id}`, {}), 400, "BadRequestException");
    assertGmsError(await put(`${server.cs}/services/99999999`, { ttl: 1 }), 404, "NotFoundException");
  });
});

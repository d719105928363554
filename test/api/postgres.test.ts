/**
 * The HTTP API end to end on PostgreSQL (what several nodes share), including concurrent
 * writes to one service from two app instances: ids stay unique, nothing is lost.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, it } from "node:test";
import { describeWith } from "../support/suites.ts";
import pg from "pg";
import { get, post, startServer, type TestServer } from "../support/server.ts";

const url = process.env.TEST_DATABASE_URL ?? "";
const skip = url === "" ? "TEST_DATABASE_URL is not set: PostgreSQL API tests not run" : false;
const schema = `parley_api_${randomBytes(6).toString("hex")}`;

describeWith("Context Services on PostgreSQL, two nodes", skip, () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    const env = { DATABASE_URL: url, DATABASE_SCHEMA: schema };
    a = await startServer({ env });
    b = await startServer({ env });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it("serves a service started on one node from the other", async () => {
    const reply = await post(`${a.cs}/services/start`, { customer_id: "PG1", service_type: "1", Cart: { n: 1 } });
    assert.equal(reply.status, 201);
    const service = (await get(`${b.cs}/services/${reply.body.service_id}?extensions=*`)).body;
    assert.equal(service.service_type, "1");
    assert.deepEqual(service.Cart, { n: 1 });
  });

  it("gives unique task ids to concurrent starts on one service across nodes", async () => {
    const id = (await post(`${a.cs}/services/start`, { customer_id: "PG2" })).body.service_id;
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => post(`${(i % 2 === 0 ? a : b).cs}/services/${id}/tasks/start`, { task_type: i })));
    assert.ok(replies.every((r) => r.status === 201));
    assert.equal(new Set(replies.map((r) => r.body.task_id)).size, 40);
    assert.equal((await get(`${b.cs}/services/${id}/tasks`)).body.length, 40);
  });

  it("transitions, composes and identifies", async () => {
    const id = (await post(`${a.cs}/services/start`, { customer_id: "PG3" })).body.service_id;
    const from = (await post(`${a.cs}/services/${id}/states/start`, { state_type: 1 })).body.state_id;
    assert.equal((await post(`${b.cs}/services/${id}/states/transition`, { from: { state_id: from }, to: { state_type: 2 } })).status, 201);
    assert.equal((await get(`${a.cs}/services/${id}/states/active`)).body[0].state_type, 2);
    const element = { service: { customer_id: "PG3c", service_type: "x" }, state: { state_type: "s" } };
    const [first] = (await post(`${a.cs}/services_composite/start`, { services: [element] })).body;
    const [again] = (await post(`${b.cs}/services_composite/start`, { services: [element] })).body;
    assert.equal(again.service_id, first.service_id);
    const customer = (await post(`${a.cs}/profiles`, { LastName: "Postgres" })).body.customer_id;
    assert.deepEqual((await get(`${b.cs}/profiles?LastName=Postgres`)).body, [{ customer_id: customer }]);
  });
});

describeWith("nodes started at the same moment on a fresh schema", skip, () => {
  const fresh = `parley_race_${randomBytes(6).toString("hex")}`;
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${fresh}" cascade`);
    await client.end();
  });

  it("all three start (schema creation and migrations are serialised) and serve", async () => {
    const env = { DATABASE_URL: url, DATABASE_SCHEMA: fresh };
    const started = await Promise.allSettled([startServer({ env }), startServer({ env }), startServer({ env })]);
    const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    try {
      assert.deepEqual(
        started.map((s) => (s.status === "rejected" ? String(s.reason) : "ok")),
        ["ok", "ok", "ok"],
      );
      for (const node of nodes) assert.equal((await post(`${node.cs}/services/start`, { contact_key: "race" })).status, 201);
    } finally {
      for (const node of nodes) await node.close();
    }
  });
});

describeWith("a fresh schema beside another parley schema in the same database", skip, () => {
  const first = `parley_beside_${randomBytes(6).toString("hex")}`;
  const second = `parley_beside_${randomBytes(6).toString("hex")}`;
  after(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of [first, second]) await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });

  it("migrates its own tables: the other schema's migration tables are not taken for its own", async () => {
    const a = await startServer({ env: { DATABASE_URL: url, DATABASE_SCHEMA: first } });
    try {
      const b = await startServer({ env: { DATABASE_URL: url, DATABASE_SCHEMA: second } });
      try {
        assert.equal((await post(`${b.cs}/services/start`, { contact_key: "beside" })).status, 201);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });
});

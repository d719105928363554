/**
 * Erasure (DELETE /profiles/{id}, beyond GMS) and Merge Profiles (UCS): what moves, what goes,
 * and that each is all or nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { assertGmsError, call, del, get, post, put, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let agent: TestAgent;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50" } });
  api = agentApi(server.url);
  agent = await api.createAgent("historian");
  await api.ready(agent);
});
after(() => server.close());

/** A profile with an email, an extension record list, a service with a state and a task, and one interaction of history. */
async function customerWithEverything(id: string, email: string) {
  assert.equal((await post(`${server.cs}/profiles`, { customer_id: id, LastName: id, EmailAddress: [email], Orders: [{ ref: `${id}-1` }] })).status, 201);
  const sid = String((await post(`${server.cs}/services/start`, { customer_id: id, service_type: "support", Cart: { n: 1 } })).body.service_id);
  await post(`${server.cs}/services/${sid}/states/start`, { state_type: "s" });
  await post(`${server.cs}/services/${sid}/tasks/start`, { task_type: "t" });
  const reply = await call(
    "POST",
    `${server.url}/api/v2/interactions`,
    { mediaType: "openmedia", customerId: id, properties: { subject: id } },
    { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}` },
  );
  const ixId = reply.body.id as string;
  await api.sees(agent, ixId, "Invited");
  await api.operate(agent, ixId, { operationName: "Accept" });
  await api.operate(agent, ixId, { operationName: "StopProcessing" });
  assert.equal((await get(`${server.cs}/interactions/${ixId}`)).status, 200);
  return { sid, ixId };
}

describe("DELETE /profiles/{id}", () => {
  it("erases the profile with its services, states, tasks, extension records and history; others are untouched", async () => {
    const gone = await customerWithEverything("ERASE1", "erase1@example.com");
    const kept = await customerWithEverything("KEEP1", "keep1@example.com");
    assert.equal((await del(`${server.cs}/profiles/ERASE1`)).status, 204);
    assertGmsError(await get(`${server.cs}/profiles/ERASE1`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/services/${gone.sid}`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/services/${gone.sid}/states`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/interactions/${gone.ixId}`), 404, "NotFoundException");
    assert.deepEqual((await get(`${server.cs}/profiles?EmailAddress=erase1@example.com`)).body, []);
    assert.equal((await get(`${server.cs}/services/${kept.sid}`)).status, 200);
    assert.equal((await get(`${server.cs}/interactions/${kept.ixId}`)).status, 200);
    assert.equal((await get(`${server.cs}/profiles/KEEP1`)).status, 200);
    assertGmsError(await del(`${server.cs}/profiles/ERASE1`), 404, "NotFoundException");
  });
});

describe("PUT /profiles/{id}/merge/{source_id}", () => {
  it("moves the source's services, history and extension records to the target; the source then answers 404", async () => {
    const target = await customerWithEverything("MERGE-T", "t@example.com");
    const source = await customerWithEverything("MERGE-S", "s@example.com");
    await put(`${server.cs}/profiles/MERGE-S`, { LastName: "S", FirstName: "Sam", EmailAddress: ["s@example.com"] });
    const merged = await put(`${server.cs}/profiles/MERGE-T/merge/MERGE-S`, { agent_id: "a1", reason: "duplicate", force_merge: true });
    assert.equal(merged.status, 204, merged.text);
    assertGmsError(await get(`${server.cs}/profiles/MERGE-S`), 404, "NotFoundException");
    const profile = (await get(`${server.cs}/profiles/MERGE-T?extensions=Orders`)).body;
    assert.equal(profile.LastName, "MERGE-T", "the target keeps its attributes");
    assert.equal(profile.FirstName, "Sam", "and gains those it lacked");
    assert.deepEqual(profile.Orders, [{ ref: "MERGE-T-1" }, { ref: "MERGE-S-1" }]);
    assert.equal((await get(`${server.cs}/services/${source.sid}`)).body.customer_id, "MERGE-T");
    const services = (await get(`${server.cs}/customers/MERGE-T/services`)).body as { service_id: number }[];
    assert.deepEqual(services.map((s) => String(s.service_id)).sort(), [target.sid, source.sid].sort());
    const history = JSON.stringify((await get(`${server.cs}/customers/MERGE-T/interactions`)).body);
    assert.ok(history.includes(source.ixId) && history.includes(target.ixId), history);
    assert.deepEqual((await get(`${server.cs}/profiles?EmailAddress=s@example.com`)).body, [{ customer_id: "MERGE-T" }]);
  });

  it("refuses a merge into itself (400) and unknown profiles (404), changing nothing", async () => {
    await customerWithEverything("SELF", "self@example.com");
    assertGmsError(await put(`${server.cs}/profiles/SELF/merge/SELF`, {}), 400, "BadRequestException");
    assertGmsError(await put(`${server.cs}/profiles/SELF/merge/NOBODY`, {}), 404, "NotFoundException");
    assertGmsError(await put(`${server.cs}/profiles/NOBODY/merge/SELF`, {}), 404, "NotFoundException");
    assert.equal((await get(`${server.cs}/profiles/SELF`)).status, 200);
  });
});

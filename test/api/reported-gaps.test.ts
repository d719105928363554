/**
 * Gaps found by using Context Services from outside, as a new user would (issue 9): each test
 * failed before its fix.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, eventually, get, post, startServer, type TestServer } from "../support/server.ts";
import { collect, openSocket } from "../support/sockets.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

async function newService(body: object = { customer_id: "gap-customer" }): Promise<string> {
  const reply = await post(`${server.cs}/services/start`, body);
  assert.equal(reply.status, 201, reply.text);
  return String(reply.body.service_id);
}

describe("Start Service", () => {
  it("needs customer_id or contact_key, and says so naming both", async () => {
    const error = assertGmsError(await post(`${server.cs}/services/start`, { service_type: "support" }), 400, "BadRequestException");
    assert.match(error.message, /customer_id/);
    assert.match(error.message, /contact_key/);
    await newService({ contact_key: "anon-gap" });
    await newService({ customer_id: "someone" });
  });
});

describe("ending with the body a task was started with", () => {
  it("is accepted (204); the start-only fields are ignored, never stored as extensions", async () => {
    const sid = await newService({ customer_id: "A", service_type: "support" });
    const state = await post(`${server.cs}/services/${sid}/states/start`, { state_type: "greeting" });
    const stateId = state.body.state_id as number;
    const startBody = { state_id: stateId, task_type: "survey", interaction_id: "ix-1", media_type: "chat", service_id: Number(sid), Note: { a: 1 } };
    const task = await post(`${server.cs}/services/${sid}/tasks/start`, startBody);
    assert.equal(task.status, 201, task.text);
    const taskId = task.body.task_id as number;
    const ended = await post(`${server.cs}/services/${sid}/tasks/${taskId}/end`, { ...startBody, Note: { a: 2 } });
    assert.equal(ended.status, 204, ended.text);
    const read = (await get(`${server.cs}/services/${sid}/tasks/${taskId}?extensions=*`)).body;
    assert.equal(read.task_type, "survey");
    assert.equal(read.state_id, stateId);
    assert.deepEqual(read.Note, { a: 2 });
  });

  it("own fields in an end body never replace the real values", async () => {
    const sid = await newService({ customer_id: "A", service_type: "support" });
    const ended = await post(`${server.cs}/services/${sid}/end`, {
      customer_id: "OTHER",
      contact_key: "x",
      service_type: "sales",
      state_type: "s",
      task_type: "t",
    });
    assert.equal(ended.status, 204, ended.text);
    const read = (await get(`${server.cs}/services/${sid}?extensions=*`)).body;
    assert.equal(read.customer_id, "A");
    assert.equal(read.service_type, "support");
    assert.equal(read.contact_key, undefined);
  });
});

describe("integer ids sent as strings", () => {
  it("state_id, previous_state_id and from.state_id accept digits in a string", async () => {
    const sid = await newService();
    const first = (await post(`${server.cs}/services/${sid}/states/start`, { state_type: "one" })).body.state_id as number;
    const task = await post(`${server.cs}/services/${sid}/tasks/start`, { state_id: String(first), task_type: "t" });
    assert.equal(task.status, 201, task.text);
    assert.equal((await get(`${server.cs}/services/${sid}/tasks/${task.body.task_id}`)).body.state_id, first);
    const second = await post(`${server.cs}/services/${sid}/states/start`, { state_type: "two", previous_state_id: String(first) });
    assert.equal(second.status, 201, second.text);
    const moved = await post(`${server.cs}/services/${sid}/states/transition`, {
      from: { state_id: String(second.body.state_id) },
      to: { state_type: "three" },
    });
    assert.equal(moved.status, 201, moved.text);
    for (const bad of ["1.5", "-1", "x", "99999999999"]) {
      assertGmsError(await post(`${server.cs}/services/${sid}/tasks/start`, { state_id: bad }), 400, "BadRequestException");
    }
  });
});

describe("strings that are not Unicode", () => {
  it("a lone surrogate anywhere in a body is 400, never 500", async () => {
    const bodies = [
      '{"customer_id":"\\ud800"}',
      '{"customer_id":"ok","Name":"\\udc00x"}',
      '{"customer_id":"ok","\\ud800":1}',
      '{"customer_id":"ok","list":["\\uDBFF"]}',
    ];
    for (const body of bodies) assertGmsError(await post(`${server.cs}/profiles`, body), 400, "BadRequestException");
    assertGmsError(await post(`${server.cs}/services/start`, '{"contact_key":"\\ud800"}'), 400, "BadRequestException");
    // A pair written as two escapes is an ordinary character.
    const emoji = await post(`${server.cs}/profiles`, '{"customer_id":"smile-\\ud83d\\ude00"}');
    assert.equal(emoji.status, 201, emoji.text);
    assert.equal(emoji.body.customer_id, "smile-\u{1F600}");
  });
});

describe("a body over BODY_LIMIT_BYTES on a keep-alive connection", () => {
  it("gets the 413, never a reset connection mid-upload", async () => {
    const size = 2 * 1024 * 1024;
    const socket = await openSocket(server.url);
    const received = collect(socket);
    const errors: Error[] = [];
    socket.on("error", (err) => errors.push(err));
    const write = (chunk: string | Buffer) => new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    await write(`POST /genesys/1/cs/profiles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
    // The answer may come at once (with Connection: close); the socket must not be closed under
    // the upload (a lingering close, test/security/body-drain.test.ts).
    for (let sent = 0; sent < size && errors.length === 0; sent += 64 * 1024) await write(Buffer.alloc(64 * 1024, 0x61));
    await eventually(async () => (received.bytes().includes("PayloadTooLargeException") ? true : undefined), 5000, "the 413");
    assert.deepEqual(
      errors.map((e) => (e as { code?: string }).code),
      [],
      "the upload was never cut",
    );
    assert.match(received.bytes().toString("latin1"), /^HTTP\/1\.1 413 /);
    socket.destroy();
  });
});

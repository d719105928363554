/**
 * Bad input never hurts: malformed, mistyped, oversized, foreign or out-of-order requests get the
 * documented 4xx body and change nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, call, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer({ env: { BODY_LIMIT_BYTES: "4096" } });
});
after(() => server.close());

async function servicesOf(customer: string): Promise<number> {
  return (await get(`${server.cs}/customers/${customer}/services`)).body.length;
}

describe("malformed bodies", () => {
  const cases: [string, string][] = [
    ["truncated JSON", '{"customer_id":"X"'],
    ["bare words", "customer_id=X"],
    ["trailing garbage", '{"customer_id":"X"} extra'],
    ["prototype keys", '{"customer_id":"X","__proto__":{"polluted":1}}'],
  ];
  for (const [name, body] of cases) {
    it(`answers ${name} with 400 and creates nothing`, async () => {
      const error = assertGmsError(await post(`${server.cs}/services/start`, body), 400, "BadRequestException");
      assert.match(error.message, /^malformed JSON body: /);
      assert.equal(await servicesOf("X"), 0);
    });
  }

  it("answers a body that is not an object with 400", async () => {
    for (const body of ["[]", '"text"', "42"]) {
      const error = assertGmsError(await post(`${server.cs}/services/start`, body), 400, "BadRequestException");
      assert.equal(error.message, "body: must be an object");
    }
  });
});

describe("wrong types and ranges name the field", () => {
  const cases: [string, object, RegExp][] = [
    ["est_duration as text", { est_duration: "long" }, /^est_duration: must be an integer/],
    ["a business attribute as an object", { service_type: { a: 1 } }, /^service_type: must be an integer or a string/],
    ["a malformed timestamp", { timestamp: "yesterday" }, /^timestamp: must be an ISO 8601 date-time/],
    ["a negative ttl", { ttl: -1 }, /^ttl: /],
    ["an over-long customer_id", { customer_id: "x".repeat(65) }, /^customer_id: /],
    ["a reserved extension name", { completed: { x: 1 } }, /^completed: /],
  ];
  for (const [name, body, message] of cases) {
    it(`refuses ${name}`, async () => {
      const error = assertGmsError(await post(`${server.cs}/services/start`, { customer_id: "T", ...body }), 400, "BadRequestException");
      assert.match(error.message, message);
      assert.equal(await servicesOf("T"), 0);
    });
  }

  it("enforces the documented end-event lengths", async () => {
    const id = (await post(`${server.cs}/services/start`, { customer_id: "LEN" })).body.service_id;
    const error = assertGmsError(await post(`${server.cs}/services/${id}/end`, { disposition_desc: "x".repeat(65) }), 400, "BadRequestException");
    assert.match(error.message, /^disposition_desc: /);
    assert.equal((await get(`${server.cs}/services/${id}`)).body.completed, undefined);
  });

  it("refuses bad query parameters", async () => {
    assertGmsError(await get(`${server.cs}/customers/C/services?max_services=0`), 400, "BadRequestException");
    assertGmsError(await get(`${server.cs}/customers/C/services?active_states=perhaps`), 400, "BadRequestException");
    assertGmsError(await get(`${server.cs}/customers/C/services?started_from=tuesday`), 400, "BadRequestException");
  });

  it("refuses a non-integer state id in the path", async () => {
    const id = (await post(`${server.cs}/services/start`, { customer_id: "P" })).body.service_id;
    const error = assertGmsError(await get(`${server.cs}/services/${id}/states/one`), 400, "BadRequestException");
    assert.match(error.message, /^stid: /);
  });
});

describe("size, type and route limits", () => {
  it("answers an oversized body with 413 and creates nothing", async () => {
    const big = { customer_id: "BIG", blob: "x".repeat(8192) };
    assertGmsError(await post(`${server.cs}/services/start`, big), 413, "PayloadTooLargeException");
    assert.equal(await servicesOf("BIG"), 0);
  });

  it("answers an unsupported content type with 415", async () => {
    const reply = await post(`${server.cs}/services/start`, "<xml/>", { "content-type": "application/xml" });
    assertGmsError(reply, 415, "UnsupportedMediaTypeException");
  });

  it("takes JSON sent with no content type (as curl -d users do)", async () => {
    const res = await fetch(`${server.cs}/services/start`, { method: "POST", body: new Blob(['{"customer_id":"NOCT"}']) });
    assert.equal(res.status, 201);
  });

  it("answers unknown routes with 404 in the GMS shape", async () => {
    assertGmsError(await get(`${server.cs}/nothing/here`), 404, "NotFoundException");
    assertGmsError(await call("PATCH", `${server.cs}/services/1`), 404, "NotFoundException");
  });

  it("never answers 500, and never leaks a stack trace, for any of the above", async () => {
    const replies = await Promise.all([
      post(`${server.cs}/services/start`, "{"),
      post(`${server.cs}/services/abc/states/transition`, { from: { state_id: 1 }, to: {} }),
      post(`${server.cs}/services/99999999999999999999/tasks/start`, {}),
      post(`${server.cs}/services/-1/end`, {}),
      get(`${server.cs}/services/${encodeURIComponent("1 OR 1=1")}`),
    ]);
    for (const reply of replies) {
      assert.ok(reply.status >= 400 && reply.status < 500, `${reply.status} ${reply.text}`);
      assert.doesNotMatch(reply.text, /at .*\.ts:\d+/);
    }
  });
});

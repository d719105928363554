/**
 * The REST edge: bad input gets the documented 4xx body and changes nothing. Deep JSON,
 * prototype keys, extension names that shadow presented fields, oversized identification,
 * long path parameters, a forged Host, unchecked transition events, aborted uploads.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { rawBayeux } from "../support/bayeux.ts";
import { assertGmsError, get, post, put, startServer, until, type LogLine, type TestServer } from "../support/server.ts";
import { collect, openSocket } from "../support/sockets.ts";

let server: TestServer;
const logs: LogLine[] = [];
before(async () => {
  server = await startServer({ logs: { level: "debug", lines: logs } });
});
after(() => server.close());

const nested = (depth: number) => `{"customer_id":"deep","x":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;

async function newService(customer = "C1"): Promise<number> {
  const reply = await post(`${server.cs}/services/start`, { customer_id: customer });
  assert.equal(reply.status, 201);
  return reply.body.service_id;
}

describe("deep JSON", () => {
  for (const depth of [65, 4150, 5000, 100_000]) {
    it(`a body nested ${depth} levels gets 400 and is not stored`, async () => {
      const reply = await post(`${server.cs}/services/start`, nested(depth));
      const error = assertGmsError(reply, 400, "BadRequestException");
      assert.match(error.message, /nested deeper than 64 levels/);
      assert.equal((await get(`${server.cs}/customers/deep/services`)).body.length, 0);
    });
  }

  it("a body nested 64 levels is stored and reads back", async () => {
    const sid = (await post(`${server.cs}/services/start`, nested(64))).body.service_id;
    const reply = await get(`${server.cs}/services/${sid}?extensions=x`);
    assert.equal(reply.status, 200);
  });

  it("a CometD batch nested too deep gets 400::Bad message", async () => {
    const reply = await rawBayeux(`${server.url}/genesys/cometd`).post(
      `[{"channel":"/meta/handshake","version":"1.0","ext":${"[".repeat(100)}${"]".repeat(100)}}]`,
      { gms_user: "deep" },
    );
    assert.equal(reply.status, 400);
    assert.equal(reply.body[0].error, "400::Bad message: nested deeper than 64 levels");
  });
});

describe("__proto__", () => {
  it("is refused in a body even when spelt with an escape", async () => {
    const reply = await post(`${server.cs}/services/start`, '{"customer_id":"proto","\\u005f_proto__":{"polluted":1}}');
    assert.match(assertGmsError(reply, 400, "BadRequestException").message, /__proto__/);
    assert.equal((await get(`${server.cs}/customers/proto/services`)).body.length, 0);
  });

  it("is refused as an extension name in a URL", async () => {
    const sid = await newService();
    const reply = await put(`${server.cs}/services/${sid}/extensions/__proto__`, { polluted: 1 });
    assertGmsError(reply, 400, "BadRequestException");
    assert.deepEqual(Object.keys((await get(`${server.cs}/services/${sid}?extensions=*`)).body).includes("polluted"), false);
  });
});

describe("extension names", () => {
  for (const name of ["customer_id", "service_id", "service_type", "contact_key", "disposition", "est_duration", "state_id", "task_type"]) {
    it(`${name} cannot name an extension: 400, and the service reads back unchanged`, async () => {
      const sid = await newService("A");
      const reply = await put(`${server.cs}/services/${sid}/extensions/${name}`, name === "service_id" ? 424242 : JSON.stringify("mallory"));
      assert.match(assertGmsError(reply, 400, "BadRequestException").message, new RegExp(`^${name}: `));
      const service = (await get(`${server.cs}/services/${sid}?extensions=*`)).body;
      assert.equal(service.service_id, sid);
      assert.equal(service.customer_id, "A");
      assert.equal(service[name === "service_id" || name === "customer_id" ? "x" : name], undefined);
    });
  }
});

describe("identification values", () => {
  it("a profile with more than 1000 values gets 400, not 500, and is not created", async () => {
    const body = { customer_id: "MANY", Phones: Array.from({ length: 11_000 }, (_, i) => String(i)) };
    const reply = await post(`${server.cs}/profiles`, body);
    assert.match(assertGmsError(reply, 400, "BadRequestException").message, /at most 1000/);
    assert.equal((await get(`${server.cs}/profiles/MANY`)).status, 404);
  });

  it("a profile with 1000 values is created", async () => {
    const body = { customer_id: "THOUSAND", Phones: Array.from({ length: 1000 }, (_, i) => String(i)) };
    assert.equal((await post(`${server.cs}/profiles`, body)).status, 201);
  });
});

describe("path parameters", () => {
  it("a 150-character contact_key can be queried", async () => {
    const key = "k".repeat(150);
    assert.equal((await post(`${server.cs}/services/start`, { contact_key: key })).status, 201);
    const reply = await get(`${server.cs}/services/anonymous/${key}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 1);
  });

  it("a parameter longer than any the API takes gets 414 in the GMS body", async () => {
    const reply = await get(`${server.cs}/services/anonymous/${"k".repeat(2000)}`);
    assertGmsError(reply, 414, "UriTooLongException");
  });

  it("a parameter longer than its schema gets 400 naming it", async () => {
    const reply = await get(`${server.cs}/services/anonymous/${"k".repeat(300)}`);
    assert.match(assertGmsError(reply, 400, "BadRequestException").message, /^ck: /);
  });
});

describe("Location", () => {
  function startWithHost(base: string, host: string): Promise<string | undefined> {
    const url = new URL(`${base}/services/start`);
    return new Promise((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { host, "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.headers.location);
      });
      req.on("error", reject);
      req.end(JSON.stringify({ customer_id: "L" }));
    });
  }

  it("uses PUBLIC_URL when set, whatever Host says", async () => {
    const behind = await startServer({ env: { PUBLIC_URL: "https://cx.example.com/parley/" } });
    try {
      const location = await startWithHost(behind.cs, "evil.example");
      assert.match(location ?? "", /^https:\/\/cx\.example\.com\/parley\/genesys\/1\/cs\/services\/\d+$/);
    } finally {
      await behind.close();
    }
  });

  it("without PUBLIC_URL, a Host that is not a plain host gives a relative Location", async () => {
    const location = await startWithHost(server.cs, "evil.example/x?y=");
    assert.match(location ?? "", /^\/genesys\/1\/cs\/services\/\d+$/);
  });
});

describe("state transition events", () => {
  for (const side of ["from", "to"] as const) {
    it(`validates the ${side} event like a top-level one; nothing changes`, async () => {
      const sid = await newService();
      const stid = (await post(`${server.cs}/services/${sid}/states/start`, {})).body.state_id;
      const body: Record<"from" | "to", Record<string, unknown>> = { from: { state_id: stid }, to: {} };
      body[side].timestamp = "<not a date>";
      const reply = await post(`${server.cs}/services/${sid}/states/transition`, body);
      assert.match(assertGmsError(reply, 400, "BadRequestException").message, new RegExp(`^${side}\\.timestamp: `));
      const states = (await get(`${server.cs}/services/${sid}/states`)).body;
      assert.deepEqual(
        states.map((s: { state_id: number; completed?: unknown }) => [s.state_id, s.completed === undefined]),
        [[stid, true]],
      );
    });
  }
});

describe("aborted uploads", () => {
  for (const [name, path, headers] of [
    ["Context Services", "/genesys/1/cs/services/start", ""],
    ["CometD long-polling", "/genesys/cometd", "gms_user: abort\r\n"],
  ] as const) {
    it(`${name}: logged at debug without a stack, never as an error`, async () => {
      const before = logs.length;
      const socket = await openSocket(server.url);
      const received = collect(socket);
      // Expect: 100-continue makes the server say when the request has reached its handler.
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n`);
      await until(() => received.bytes().includes("100 Continue"), 5000, "100 Continue");
      socket.write('{"a":');
      socket.destroy();
      await until(() => logs.slice(before).some((l) => /abort/i.test(JSON.stringify(l))), 5000, "the abort to be logged");
      const lines = logs.slice(before);
      assert.deepEqual(
        lines.filter((l) => l.level >= 50),
        [],
        "no error lines",
      );
      assert.equal(
        lines.some((l) => JSON.stringify(l).includes("stack")),
        false,
        "no stack traces",
      );
    });
  }
});

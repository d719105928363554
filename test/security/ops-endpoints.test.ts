/**
 * `/metrics` and the OpenAPI document tell how the server is built and used (login failures,
 * chat volumes, every route): with CS_AUTH they need Context Services' credentials, and with
 * OPS_BIND they move to a listener of their own, away from the port customers reach. `/health`
 * and `/ready` stay open on the main port for a load balancer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { assertGmsError, call, get, startServer, type LogLine, type TestServer } from "../support/server.ts";

const USER = "crm";
const PASSWORD = "a-long-cs-password";
const KEY = "0123456789abcdef0123456789abcdef";
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });
const OPS_PATHS = ["/metrics", "/docs", "/docs/json", "/docs/ui/", "/docs/ui/swagger-ui.css"];

async function using(env: Record<string, string>, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer({ env });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

async function assertOpen(base: string, headers: Record<string, string> = {}): Promise<void> {
  for (const path of OPS_PATHS) assert.equal((await call("GET", `${base}${path}`, undefined, headers)).status, 200, path);
  const doc = (await call("GET", `${base}/docs/json`, undefined, headers)).body;
  assert.ok(doc.paths["/genesys/1/cs/services/start"], "the document describes the main API");
  assert.ok(doc.paths["/genesys/1/service/{id}/ixn/chat"], "the Chat API too");
}

describe("with CS_AUTH and no OPS_BIND", () => {
  it("basic: metrics and the document need the Context Services credentials; health and readiness do not", async () => {
    await using({ CS_AUTH: "basic", CS_AUTH_USERS: `${USER}:${PASSWORD}` }, async (server) => {
      for (const path of OPS_PATHS) {
        for (const headers of [{}, basic(USER, "wrong-password!"), { "x-api-key": KEY }] as Record<string, string>[]) {
          const refused = await call("GET", `${server.url}${path}`, undefined, headers);
          assertGmsError(refused, 401, "UnauthorizedException");
          assert.match(refused.headers.get("www-authenticate") ?? "", /^Basic /, path);
        }
      }
      await assertOpen(server.url, basic(USER, PASSWORD));
      assert.deepEqual((await get(`${server.url}/health`)).body, { status: "ok" });
      assert.deepEqual((await get(`${server.url}/ready`)).body, { status: "ready" });
    });
  });

  it("apikey: the X-API-Key header", async () => {
    await using({ CS_AUTH: "apikey", CS_API_KEYS: KEY }, async (server) => {
      for (const path of OPS_PATHS) assertGmsError(await get(`${server.url}${path}`), 401, "UnauthorizedException");
      assertGmsError(await call("GET", `${server.url}/metrics`, undefined, { "x-api-key": `${KEY}x` }), 401, "UnauthorizedException");
      await assertOpen(server.url, { "x-api-key": KEY });
      assert.equal((await get(`${server.url}/health`)).status, 200);
      assert.equal((await get(`${server.url}/ready`)).status, 200);
    });
  });
});

describe("without CS_AUTH or OPS_BIND", () => {
  it("metrics and the document stay open, as before; the start-up warning off loopback names them", async () => {
    const lines: LogLine[] = [];
    const server = await startServer({ env: { HOST: "0.0.0.0" }, logs: { level: "info", lines } });
    try {
      await assertOpen(server.url);
      const warning = lines.find((l) => /is open to anyone/.test(l.msg));
      assert.match(warning?.msg ?? "", /\/metrics and \/docs are open too/);
      assert.match(warning?.msg ?? "", /OPS_BIND/);
    } finally {
      await server.close();
    }
  });
});

describe("with OPS_BIND", () => {
  it("metrics and the document are served only on the ops listener; health and readiness on both", async () => {
    await using({ OPS_BIND: "127.0.0.1:0" }, async (server) => {
      const ops = server.app.opsUrl();
      assert.ok(ops !== null && ops !== server.url, "a listener of its own");
      for (const path of OPS_PATHS) assertGmsError(await get(`${server.url}${path}`), 404, "NotFoundException");
      await assertOpen(ops);
      // The document's request metrics are the main port's: a request there shows up here.
      await get(`${server.url}/genesys/1/cs/services/999999`);
      assert.match((await get(`${ops}/metrics`)).text, /route="\/genesys\/1\/cs\/services\/:sid",status_code="404"/);
      for (const base of [server.url, ops]) {
        assert.deepEqual((await get(`${base}/health`)).body, { status: "ok" }, base);
        assert.deepEqual((await get(`${base}/ready`)).body, { status: "ready" }, base);
      }
      assertGmsError(await get(`${ops}/genesys/1/cs/services/1`), 404, "NotFoundException");
    });
  });

  it("the ops listener asks for no credentials, even with CS_AUTH (bind it where only monitoring reaches)", async () => {
    await using({ OPS_BIND: "127.0.0.1:0", CS_AUTH: "apikey", CS_API_KEYS: KEY }, async (server) => {
      await assertOpen(server.app.opsUrl() ?? "");
      assertGmsError(await call("GET", `${server.url}/metrics`, undefined, { "x-api-key": KEY }), 404, "NotFoundException");
    });
  });

  it("closes with the app", async () => {
    let ops: string | null = null;
    await using({ OPS_BIND: "127.0.0.1:0" }, async (server) => {
      ops = server.app.opsUrl();
      assert.equal((await get(`${ops}/health`)).status, 200);
    });
    await assert.rejects(fetch(`${ops}/health`));
  });

  it("must be host:port", () => {
    for (const bad of ["9464", "localhost", "127.0.0.1:", "127.0.0.1:99999", "::1:9464", "a b:1"]) {
      assert.throws(() => loadConfig({ OPS_BIND: bad }), ConfigError, bad);
    }
    assert.deepEqual(loadConfig({ OPS_BIND: "[::1]:9464" }).opsBind, { host: "::1", port: 9464 });
    assert.deepEqual(loadConfig({ OPS_BIND: "0.0.0.0:9464" }).opsBind, { host: "0.0.0.0", port: 9464 });
  });
});

/**
 * Optional protection of Context Services (CS_AUTH): off by default as in GMS, with a warning
 * when that leaves customer data open beyond this machine; HTTP Basic or an API key when on.
 * The Chat API and customer CometD stay open either way (their gms_user rules apply).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { assertGmsError, call, get, post, startServer, type LogLine } from "../support/server.ts";

const USER = "crm";
const PASSWORD = "a-long-cs-password";
const KEY = "0123456789abcdef0123456789abcdef";
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("CS_AUTH", () => {
  it("is off by default, with a warning at start when parley listens beyond loopback", async () => {
    const lines: LogLine[] = [];
    const open = await startServer({ env: { HOST: "0.0.0.0" }, logs: { level: "info", lines } });
    try {
      assert.equal((await post(`${open.cs}/services/start`, { contact_key: "k" })).status, 201);
      const warning = lines.find((l) => /Context Services \(\/genesys\/1\/cs\) is open/.test(l.msg));
      assert.ok(warning, "a warning names the open surface");
      assert.equal(warning.level, 40);
    } finally {
      await open.close();
    }
    const quiet: LogLine[] = [];
    const local = await startServer({ logs: { level: "info", lines: quiet } });
    await local.close();
    assert.equal(quiet.filter((l) => /is open to anyone/.test(l.msg)).length, 0, "no warning on 127.0.0.1");
  });

  it("basic: 401 without the configured credentials on every Context Services route; the rest stays open", async () => {
    const server = await startServer({ env: { CS_AUTH: "basic", CS_AUTH_USERS: `${USER}:${PASSWORD},other:another-long-password` } });
    try {
      for (const headers of [{}, basic(USER, "wrong-password!"), basic("nobody", PASSWORD), { authorization: "Bearer x" }]) {
        const refused = await call("POST", `${server.cs}/services/start`, { contact_key: "k" }, headers);
        assertGmsError(refused, 401, "UnauthorizedException");
        assert.match(refused.headers.get("www-authenticate") ?? "", /^Basic /);
      }
      assertGmsError(await call("GET", `${server.cs}/profiles/x`), 401, "UnauthorizedException");
      assertGmsError(await call("GET", `${server.cs}/interactions/x`), 401, "UnauthorizedException");
      assert.equal((await call("POST", `${server.cs}/services/start`, { contact_key: "k" }, basic(USER, PASSWORD))).status, 201);
      assert.equal((await call("POST", `${server.cs}/services/start`, { contact_key: "k" }, basic("other", "another-long-password"))).status, 201);
      // Customers' surfaces stay as GMS has them.
      assert.equal((await post(`${server.url}/genesys/1/service/request-chat`, {})).status, 200);
      const handshake = await post(`${server.url}/genesys/cometd`, [{ channel: "/meta/handshake", version: "1.0" }], { gms_user: "u" });
      assert.equal(handshake.body[0].successful, true);
      assert.equal((await get(`${server.url}/health`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it("lets a logged-in agent's session cookie make the desktop's reads from parley's own page, nothing else", async () => {
    const server = await startServer({ env: { CS_AUTH: "apikey", CS_API_KEYS: KEY, PARLEY_ADMIN_PASSWORD: "admin-password-for-tests" } });
    try {
      const created = await call("POST", `${server.cs}/services/start`, { contact_key: "k", customer_id: "c1" }, { "x-api-key": KEY });
      assert.equal(created.status, 201);
      const login = await call("GET", `${server.url}/api/v2/me`, undefined, basic("admin", "admin-password-for-tests"));
      const cookie = (login.headers.get("set-cookie") ?? "").replace(/;.*/s, "");
      assert.match(cookie, /^JSESSIONID=/);
      for (const path of [
        "/customers/c1/services",
        "/customers/c1/services/active",
        "/customers/c1/interactions",
        "/profiles/c1",
        "/profiles?EmailAddress=a@b.c",
      ]) {
        assert.notEqual((await call("GET", `${server.cs}${path}`, undefined, { cookie })).status, 401, path);
      }
      // Only the desktop's reads: not a service by id, the export, the metadata or anonymous services.
      for (const path of [
        `/services/${created.body.service_id}`,
        "/maintenance/services/stream?export_content=true",
        "/metadata/profiles",
        "/services/anonymous/k",
      ]) {
        assertGmsError(await call("GET", `${server.cs}${path}`, undefined, { cookie }), 401, "UnauthorizedException");
      }
      // Only from parley's own page: another site's (a CORS_ORIGINS shop on the same parent domain gets the cookie too) reads nothing.
      const foreign: Record<string, string>[] = [{ "sec-fetch-site": "same-site" }, { "sec-fetch-site": "cross-site" }, { origin: "https://shop.example.com" }];
      for (const from of foreign) {
        assertGmsError(await call("GET", `${server.cs}/customers/c1/services`, undefined, { cookie, ...from }), 401, "UnauthorizedException");
      }
      assert.equal((await call("GET", `${server.cs}/customers/c1/services`, undefined, { cookie, "sec-fetch-site": "same-origin" })).status, 200);
      assertGmsError(await call("POST", `${server.cs}/services/start`, { contact_key: "k" }, { cookie }), 401, "UnauthorizedException");
      assertGmsError(
        await call("GET", `${server.cs}/customers/c1/services`, undefined, { cookie: "JSESSIONID=forged-forged-forged-forged" }),
        401,
        "UnauthorizedException",
      );
      // Logged out, the cookie reads nothing more.
      assert.equal((await call("POST", `${server.url}/api/v2/me/logout`, undefined, { cookie })).status, 200);
      assertGmsError(await call("GET", `${server.cs}/customers/c1/services`, undefined, { cookie }), 401, "UnauthorizedException");
    } finally {
      await server.close();
    }
  });

  it("apikey: the X-API-Key header", async () => {
    const server = await startServer({ env: { CS_AUTH: "apikey", CS_API_KEYS: KEY } });
    try {
      assertGmsError(await call("POST", `${server.cs}/services/start`, { contact_key: "k" }), 401, "UnauthorizedException");
      assertGmsError(await call("POST", `${server.cs}/services/start`, { contact_key: "k" }, { "x-api-key": `${KEY}x` }), 401, "UnauthorizedException");
      assert.equal((await call("POST", `${server.cs}/services/start`, { contact_key: "k" }, { "x-api-key": KEY })).status, 201);
    } finally {
      await server.close();
    }
  });

  it("refuses a configuration that would lock everyone out or use weak secrets", () => {
    for (const env of [
      { CS_AUTH: "basic" },
      { CS_AUTH: "apikey" },
      { CS_AUTH: "basic", CS_AUTH_USERS: "u:short" },
      { CS_AUTH: "apikey", CS_API_KEYS: "short" },
      { CS_AUTH: "token" },
    ]) {
      assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    }
  });
});

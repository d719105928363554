/**
 * CORS_ORIGINS: pages of the listed sites may call the Chat API, the customer CometD endpoint and
 * the agent API from a browser, credentials included; a preflight is answered before any route
 * (CometD's too). Every other origin gets no CORS header at all, and none are listed by default.
 * A listed site is trusted like parley's own origin for cookie-authenticated writes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { startServer, type TestServer } from "../support/server.ts";

const SHOP = "https://shop.example.com";

function preflight(url: string, origin: string, method = "POST", headers = "content-type, gms_user") {
  return fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers } });
}

describe("CORS_ORIGINS unset (the default)", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it("no CORS header for any origin, and no preflight is answered", async () => {
    const reply = await fetch(`${server.url}/genesys/1/service/request-chat`, { method: "POST", headers: { origin: SHOP } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get("access-control-allow-origin"), null);
    const pre = await preflight(`${server.url}/genesys/1/service/request-chat`, SHOP);
    assert.notEqual(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
  });
});

describe("CORS_ORIGINS set", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { CORS_ORIGINS: `${SHOP}, http://localhost:5173`, PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  });
  after(() => server.close());

  for (const path of [
    "/genesys/1/service/request-chat",
    "/genesys/1/service/x/ixn/chat/send",
    "/genesys/cometd/handshake",
    "/genesys/cometd",
    "/api/v2/me",
    "/api/v2/notifications",
  ]) {
    it(`a listed origin's preflight on ${path}: 204 with what clients send allowed, credentials included`, async () => {
      const reply = await preflight(`${server.url}${path}`, SHOP);
      assert.equal(reply.status, 204);
      assert.equal(reply.headers.get("access-control-allow-origin"), SHOP);
      assert.equal(reply.headers.get("access-control-allow-credentials"), "true");
      const allowed = (reply.headers.get("access-control-allow-headers") ?? "").split(/,\s*/);
      for (const header of ["gms_user", "gms_user_token", "content-type", "x-requested-with", "authorization"]) assert.ok(allowed.includes(header), header);
      assert.match(reply.headers.get("access-control-allow-methods") ?? "", /POST/);
      assert.match(reply.headers.get("vary") ?? "", /Origin/);
    });
  }

  it("a listed origin's requests carry the headers: the Chat API, CometD, errors too", async () => {
    const created = await fetch(`${server.url}/genesys/1/service/request-chat`, { method: "POST", headers: { origin: SHOP } });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get("access-control-allow-origin"), SHOP);
    assert.equal(created.headers.get("access-control-allow-credentials"), "true");
    const handshake = await fetch(`${server.url}/genesys/cometd/handshake`, {
      method: "POST",
      headers: { origin: SHOP, "content-type": "application/json", gms_user: "cors-user" },
      body: JSON.stringify([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }]),
    });
    assert.equal(handshake.status, 200);
    assert.equal(handshake.headers.get("access-control-allow-origin"), SHOP);
    const missing = await fetch(`${server.url}/genesys/1/service/no-such-service`, { method: "POST", headers: { origin: SHOP } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("access-control-allow-origin"), SHOP, "a page reads why it was refused");
  });

  it("an origin not listed, or a path outside the APIs, gets no CORS header and no preflight", async () => {
    const other = await fetch(`${server.url}/genesys/1/service/request-chat`, { method: "POST", headers: { origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    assert.notEqual((await preflight(`${server.url}/api/v2/me`, "https://evil.example")).status, 204);
    const health = await fetch(`${server.url}/health`, { headers: { origin: SHOP } });
    assert.equal(health.headers.get("access-control-allow-origin"), null);
    assert.notEqual((await preflight(`${server.url}/metrics`, SHOP, "GET", "authorization")).status, 204);
  });

  it("a listed site is trusted for cookie-authenticated writes; another site still gets 403", async () => {
    const api = agentApi(server.url);
    const agent = await api.createAgent("cors-agent");
    const cookie = ((await api.request("GET", "/me", agent.headers)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const ready = (origin: string) =>
      fetch(`${server.url}/api/v2/me/channels/chat`, {
        method: "POST",
        headers: { cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ operationName: "Ready" }),
      });
    assert.equal((await ready("https://evil.example")).status, 403);
    const fromShop = await ready(SHOP);
    assert.equal(fromShop.status, 200);
    assert.equal(fromShop.headers.get("access-control-allow-origin"), SHOP);
  });
});

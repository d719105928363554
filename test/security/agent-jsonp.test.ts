/**
 * The agent endpoint never answers as script (issue 15, item 9): its clients authenticate with a
 * cookie, so a JSONP answer would hand the agent's notifications to any page that includes it.
 * Callback-polling stays on the customer endpoint.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi, type Headers } from "../support/agents.ts";
import { rawBayeux } from "../support/bayeux.ts";
import { call, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let cookie: Headers;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const api = agentApi(server.url);
  const agent = await api.createAgent("scripted");
  cookie = { cookie: ((await api.request("GET", "/me", agent.headers)).headers.get("set-cookie") ?? "").split(";")[0] ?? "" };
});
after(() => server.close());

const handshake = encodeURIComponent(JSON.stringify([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["callback-polling"] }]));

describe("callback-polling (JSONP)", () => {
  for (const path of ["/api/v2/notifications", "/api/v2/notifications/handshake", "/api/v2/notifications/connect"]) {
    it(`${path}: a cookie-authenticated JSONP request gets a JSON 400, never script`, async () => {
      const reply = await call("GET", `${server.url}${path}?jsonp=steal&message=${handshake}`, undefined, cookie);
      assert.equal(reply.status, 400);
      assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
      assert.ok(!reply.text.startsWith("steal("), reply.text);
      assert.equal(reply.body[0].successful, false);
      assert.equal(reply.body[0].error, "400::callback-polling is not served on this endpoint");
      assert.equal(server.app.bayeux.stats().sessions, 0, "no client was made");
    });
  }

  it("stays on the customer endpoint", async () => {
    const reply = await call("GET", `${server.url}/genesys/cometd?jsonp=cb&gms_user=ann&message=${handshake}`);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(reply.text, /^cb\(\[\{.*"successful":true/);
  });
});

describe("the agent endpoint's connection types", () => {
  const bx = () => rawBayeux(`${server.url}/api/v2/notifications`);

  it("a handshake advertises websocket and long-polling only", async () => {
    const reply = await bx().post([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling", "callback-polling"] }], cookie);
    assert.equal(reply.body[0].successful, true);
    assert.deepEqual(reply.body[0].supportedConnectionTypes, ["websocket", "long-polling"]);
    const customer = await rawBayeux(`${server.url}/genesys/cometd`).handshake("ann");
    assert.deepEqual(customer.reply.body[0].supportedConnectionTypes, ["websocket", "long-polling", "callback-polling"]);
  });

  it("a client offering callback-polling only, or connecting with it, is refused", async () => {
    const refused = await bx().post([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["callback-polling"] }], cookie);
    assert.equal(refused.body[0].successful, false);
    assert.match(refused.body[0].error, /^301:/);
    const clientId = (await bx().post([{ channel: "/meta/handshake", version: "1.0" }], cookie)).body[0].clientId;
    const connect = await bx().post([{ channel: "/meta/connect", clientId, connectionType: "callback-polling" }], cookie);
    assert.equal(connect.body[0].successful, false);
    assert.match(connect.body[0].error, /^301:callback-polling:/);
  });
});

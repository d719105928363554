import assert from "node:assert/strict";
import { once } from "node:events";
import { request, type IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

describe("operations endpoints", () => {
  it("GET /health answers while the process serves", async () => {
    const reply = await get(`${server.url}/health`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: "ok" });
  });

  it("GET /ready checks the database", async () => {
    assert.deepEqual((await get(`${server.url}/ready`)).body, { status: "ready" });
  });

  it("GET /metrics exposes request and store timings in Prometheus format", async () => {
    await post(`${server.cs}/services/start`, { customer_id: "M" });
    await get(`${server.cs}/services/999999999`);
    await get(`${server.url}/no/such/path/zz-unrouted`);
    const reply = await get(`${server.url}/metrics`);
    assert.match(reply.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(reply.text, /http_request_duration_seconds_count\{method="POST",route="\/genesys\/1\/cs\/services\/start",status_code="201"\} 1/);
    assert.match(reply.text, /store_operation_duration_seconds_count\{operation="services.insert"\} 1/);
    // A matched route that answers 404 keeps its pattern; a path no route matches is "unmatched", never itself.
    assert.match(reply.text, /http_request_duration_seconds_count\{method="GET",route="\/genesys\/1\/cs\/services\/:sid",status_code="404"\} 1/);
    assert.match(reply.text, /http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1/);
    assert.doesNotMatch(reply.text, /zz-unrouted/);
    assert.match(reply.text, /process_cpu_seconds_total/);
    assert.match(reply.text, /bayeux_clients 0/);
  });

  it("counts CometD messages as a counter and CometD HTTP requests with the others", async () => {
    const handshake = await post(`${server.url}/genesys/cometd`, [{ channel: "/meta/handshake", version: "1.0" }], { gms_user: "metrics" });
    assert.equal(handshake.status, 200);
    const clientId = handshake.body[0].clientId as string;
    await post(`${server.url}/genesys/cometd/connect`, [{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: "metrics" });
    const subscribed = await post(`${server.url}/genesys/cometd`, [{ channel: "/meta/subscribe", clientId, subscription: "/_genesys" }], {
      gms_user: "metrics",
    });
    assert.equal(subscribed.body[0].successful, true);
    server.app.bayeux.deliver("customer", "metrics", "/_genesys", { n: 1 });
    await post(`${server.url}/genesys/cometd`, [{ channel: "/meta/connect", clientId, connectionType: "long-polling" }], { gms_user: "metrics" });
    const text = (await get(`${server.url}/metrics`)).text;
    assert.match(text, /# TYPE bayeux_delivered_messages_total counter\nbayeux_delivered_messages_total 1\n/);
    assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/genesys\/cometd",status_code="200"\} 3/);
    assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/genesys\/cometd\/connect",status_code="200"\} 1/);
    assert.doesNotMatch(text, /bayeux_delivered_messages /);
  });

  it("GET /docs serves the OpenAPI document with every Context Services path", async () => {
    const doc = (await get(`${server.url}/docs`)).body;
    assert.equal(doc.openapi, "3.0.3");
    for (const path of [
      "/genesys/1/cs/services/start",
      "/genesys/1/cs/services/{sid}/tasks/start",
      "/genesys/1/cs/profiles",
      "/genesys/1/cs/interactions/{iid}",
    ]) {
      assert.ok(doc.paths[path], `${path} documented`);
    }
  });

  it("documents each operation's real success status and body, and its errors; and both CometD endpoints", async () => {
    const doc = (await get(`${server.url}/docs`)).body;
    const operations = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, responses: op.responses })),
    );
    assert.ok(operations.length > 70);
    for (const { path, method, responses } of operations) {
      assert.ok(!JSON.stringify(responses).includes("Default Response"), `${method} ${path} is documented`);
    }
    const responses = (path: string, method: string) => doc.paths[path][method].responses;
    assert.deepEqual(Object.keys(responses("/genesys/1/cs/services/start", "post")), ["201", "400", "401", "404", "413", "415"]);
    assert.deepEqual(Object.keys(responses("/genesys/1/cs/services/{sid}/end", "post"))[0], "204");
    assert.deepEqual(Object.keys(responses("/genesys/1/cs/profiles/{cid}", "delete"))[0], "204");
    assert.ok(responses("/genesys/1/service/{id}/ixn/chat", "post")["503"], "chat before an agent is available");
    assert.ok(responses("/api/v2/me/interactions/{id}", "post")["409"], "GWS invalid-state error");
    const error = responses("/genesys/1/cs/services/start", "post")["400"].content["application/json"].schema;
    assert.deepEqual(Object.keys(error.properties), ["message", "exception"]);
    assert.ok(doc.paths["/genesys/cometd"].post, "customer CometD");
    assert.ok(doc.paths["/api/v2/notifications"].post, "agent CometD");
  });

  it("sends /docs/ui to /docs/ui/ relatively, so a proxy's path prefix is kept", async () => {
    const reply = await fetch(`${server.url}/docs/ui`, { redirect: "manual" });
    assert.equal(reply.status, 302);
    const location = reply.headers.get("location") ?? "";
    assert.equal(new URL(location, `${server.url}/docs/ui`).href, `${server.url}/docs/ui/`);
    assert.equal(new URL(location, "https://example.com/parley/docs/ui").href, "https://example.com/parley/docs/ui/");
  });

  it("serves a browsable page of the document with its assets from this server, no CDN", async () => {
    const page = await fetch(`${server.url}/docs/ui/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /https?:\/\//, "no external URL");
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    for (const asset of html.match(/(?:src|href)="\.\/([^"]+)"/g) ?? []) {
      const file = asset.replace(/^(?:src|href)="\.\//, "").replace(/"$/, "");
      assert.equal((await fetch(`${server.url}/docs/ui/${file}`)).status, 200, file);
    }
    assert.equal((await fetch(`${server.url}/docs/ui/../../etc/passwd`)).status, 404);
    assert.equal((await fetch(`${server.url}/docs/ui/index.html`)).status, 404);
  });

  it("the page loads the document its script names, as a browser resolves it (against the page's URL)", async () => {
    const pageUrl = `${server.url}/docs/ui/`;
    const html = await (await fetch(pageUrl)).text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => new URL(m[1] ?? "", pageUrl).href);
    const init = scripts.find((src) => src.endsWith("/init.js"));
    assert.ok(init !== undefined, html);
    const code = await (await fetch(init)).text();
    const named = /SwaggerUIBundle\(\{[^}]*\burl: "([^"]+)"/.exec(code)?.[1];
    assert.ok(named !== undefined, code);
    const document = await fetch(new URL(named, pageUrl));
    assert.equal(document.status, 200, `${named} from ${pageUrl}`);
    const body = (await document.json()) as { openapi?: string; paths?: Record<string, unknown> };
    assert.equal(body.openapi, "3.0.3");
    assert.ok(body.paths?.["/genesys/1/cs/services/start"], "the API's own document");
  });
});

describe("graceful shutdown", () => {
  it("finishes a request in flight and then refuses new connections", async () => {
    const other = await startServer();
    const body = JSON.stringify({ customer_id: "SHUT" });
    const arrived = once(other.app.http.server, "request");
    // Headers and half the body now; the rest only once shutdown has begun.
    const req = request(`${other.cs}/services/start`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const response = once(req, "response") as Promise<[IncomingMessage]>;
    req.write(body.slice(0, 5));
    await arrived;
    const closing = other.close();
    req.end(body.slice(5));
    const [res] = await response;
    let text = "";
    for await (const chunk of res) text += chunk;
    await closing;
    assert.equal(res.statusCode, 201, text);
    assert.equal(typeof JSON.parse(text).service_id, "number");
    await assert.rejects(fetch(`${other.url}/health`));
  });
});

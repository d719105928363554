/**
 * Real GWS client libraries throw on an answer that is not application/json or has no numeric
 * statusCode (reference C.2). Every route under /api/v2, answering success or any refusal, and
 * the router's own refusals there (a malformed or too long URL, an unknown path), keep that form.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN, ADMIN_PASSWORD } from "../support/agents.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
});
after(() => server.close());

async function assertGwsForm(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  const where = `${method} ${path.slice(0, 60)} → ${response.status}`;
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/, where);
  const parsed = JSON.parse(text);
  assert.equal(typeof parsed.statusCode, "number", `${where}: ${text.slice(0, 200)}`);
  assert.equal(parsed.statusCode === 0, response.status < 300, `${where}: statusCode ${parsed.statusCode}`);
  return response.status;
}

describe("the agent API's answers", () => {
  it("every documented route answers JSON with a numeric statusCode, with and without credentials, to good and bad input", async () => {
    const document = await (await fetch(`${server.url}/docs/json`)).json();
    const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).filter(
      ([path]) => path.startsWith("/api/v2/") && path !== "/api/v2/notifications",
    );
    assert.ok(routes.length >= 14, `${routes.length} agent API routes`);
    const statuses = new Set<number>();
    for (const [template, operations] of routes) {
      const path = template.replace(/\{[^}]+\}/g, "unknown-id");
      for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
        if (method === "HEAD") continue;
        // No user is deleted or logged out here: the admin's credentials must keep working.
        if (method === "DELETE" || path.endsWith("/logout")) continue;
        const json = { ...ADMIN, "content-type": "application/json" };
        const hasBody = method !== "GET";
        statuses.add(await assertGwsForm(method, path, {}, hasBody ? "{}" : undefined));
        statuses.add(await assertGwsForm(method, path, json, hasBody ? "{}" : undefined));
        if (hasBody) {
          statuses.add(await assertGwsForm(method, path, json, "{not json"));
          statuses.add(await assertGwsForm(method, path, { ...ADMIN, "content-type": "text/plain" }, "x"));
        }
        if (method === "GET") statuses.add(await assertGwsForm(method, `${path}?fields=*&subresources=${"x".repeat(300)}`, ADMIN));
      }
    }
    for (const status of [200, 400, 401, 404, 415]) assert.ok(statuses.has(status), `some route answered ${status}: ${[...statuses]}`);
  });

  it("the router's own refusals under /api/v2 are in the GWS form too", async () => {
    assert.equal(await assertGwsForm("GET", "/api/v2/%zz", ADMIN), 400);
    assert.equal(await assertGwsForm("GET", `/api/v2/interactions/${"x".repeat(2000)}`, ADMIN), 414);
    assert.equal(await assertGwsForm("GET", "/api/v2/no-such-thing", ADMIN), 404);
    assert.equal(await assertGwsForm("PATCH", "/api/v2/me", ADMIN), 404);
  });
});

/**
 * CORS_ORIGINS as Chromium enforces it (issue 18): a page of a listed site calls the Chat API, the
 * customer CometD endpoint and the agent API with the headers real clients send (`gms_user`,
 * `authorization`, `x-requested-with`, JSON), preflights included, and reads the answers; a page
 * of a site not listed cannot read any of them.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ADMIN_PASSWORD } from "../support/agents.ts";
import { launchBrowser, newPerson, noBrowser } from "../support/browser.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { describeWith } from "../support/suites.ts";

/** A site of its own on localhost (parley is on 127.0.0.1): an empty page, whose scripts the test runs. */
async function site(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>shop</title>"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://localhost:${(server.address() as { port: number }).port}`, server };
}

/** What a page's script gets for each call: the status and body it could read, or the error a blocked read throws. */
async function callsFrom(page: Page, parley: string): Promise<Record<string, string>> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  return page.evaluate(async (base) => {
    const results: Record<string, string> = {};
    const calls: Array<[string, string, RequestInit]> = [
      [
        "chat",
        `${base}/genesys/1/service/request-chat`,
        { method: "POST", headers: { gms_user: "shopper", "content-type": "application/x-www-form-urlencoded" }, body: "subject=cors" },
      ],
      [
        "cometd",
        `${base}/genesys/cometd`,
        {
          method: "POST",
          headers: { gms_user: "shopper", "content-type": "application/json" },
          body: JSON.stringify([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }]),
        },
      ],
      ["agent", `${base}/api/v2/me`, { headers: { authorization: `Basic ${btoa("admin:admin-password-for-tests")}`, "x-requested-with": "XMLHttpRequest" } }],
    ];
    for (const [name, url, init] of calls) {
      try {
        const response = await fetch(url, { ...init, credentials: "include" });
        results[name] = `${response.status} ${(await response.text()).slice(0, 200)}`;
      } catch (err) {
        results[name] = `blocked: ${(err as Error).name}`;
      }
    }
    return results;
  }, parley);
}

describeWith("CORS from a real page on another origin", noBrowser, () => {
  let parley: TestServer;
  let browser: Browser;
  let listed: { origin: string; server: Server };
  let unlisted: { origin: string; server: Server };
  before(async () => {
    listed = await site();
    unlisted = await site();
    parley = await startServer({ env: { CORS_ORIGINS: listed.origin, PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
    listed?.server.close();
    unlisted?.server.close();
  });

  it("a listed site's page reads the Chat API, customer CometD and the agent API", async () => {
    const { page } = await newPerson(browser);
    await page.goto(`${listed.origin}/`);
    const results = await callsFrom(page, parley.url);
    assert.match(results.chat ?? "", /^200 .*"_id"/);
    assert.match(results.cometd ?? "", /^200 .*"successful":true/);
    assert.match(results.agent ?? "", /^200 .*"userName":"admin"/);
  });

  it("a site not listed reads nothing", async () => {
    const { page } = await newPerson(browser);
    await page.goto(`${unlisted.origin}/`);
    const results = await callsFrom(page, parley.url);
    assert.deepEqual(results, { chat: "blocked: TypeError", cometd: "blocked: TypeError", agent: "blocked: TypeError" });
  });
});

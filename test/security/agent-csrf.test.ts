/**
 * Cookie-authenticated writes under /api/v2 (issue 15, item 10): a browser sends the JSESSIONID
 * cookie whoever made the page, so a write the cookie authenticates must come from parley's own
 * origin (403 otherwise) and be JSON (415 otherwise; a page of another site cannot send JSON
 * without the browser asking first). A foreign page's write is refused however it authenticated
 * (a browser also sends Basic credentials it was once given); scripts and server-side desktops,
 * which send no Origin, are not concerned, nor are reads.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { ADMIN, ADMIN_PASSWORD, agentApi, type Headers, type TestAgent } from "../support/agents.ts";
import { rawBayeux } from "../support/bayeux.ts";
import { postForm } from "../support/chat.ts";
import { assertGmsError, startServer, type TestServer } from "../support/server.ts";

/** The status a WebSocket upgrade gets: 101 when it opens, else the refusal's. */
function upgradeStatus(url: string, headers: Headers): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", reject);
  });
}

interface RawReply {
  status: number;
  body: { status?: string; statusCode?: number };
}

/** One request exactly as given: no header added (fetch would add a content type to a body). */
function raw(base: string, method: string, path: string, headers: Headers, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}/api/v2${path}`,
      { method, headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text === "" ? {} : (JSON.parse(text) as RawReply["body"]) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const READY = JSON.stringify({ operationName: "Ready" });
const JSON_TYPE = { "content-type": "application/json" };

describe("writes authenticated by the session cookie", () => {
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  let own: string;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    api = agentApi(server.url);
    own = server.url;
  });
  after(() => server.close());

  let agents = 0;
  async function withCookie(): Promise<{ agent: TestAgent; cookie: Headers }> {
    const agent = await api.createAgent(`csrf${++agents}`);
    const cookie = ((await api.request("GET", "/me", agent.headers)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    return { agent, cookie: { cookie } };
  }
  const chatState = async (agent: TestAgent) =>
    ((await api.request("GET", "/me/channels", agent.headers)).body.channels as { channel: string; userState: { state: string } }[]).find(
      (c) => c.channel === "chat",
    )?.userState.state;

  for (const [name, headers] of [
    ["a foreign Origin", { origin: "https://evil.example", ...JSON_TYPE }],
    ["Origin: null", { origin: "null", ...JSON_TYPE }],
    ["our host on another scheme", { origin: "https://127.0.0.1", ...JSON_TYPE }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site", ...JSON_TYPE }],
    ["Sec-Fetch-Site: same-site (a sibling subdomain is another party)", { "sec-fetch-site": "same-site", ...JSON_TYPE }],
  ] as const) {
    it(`from ${name}: 403, statusCode 5, nothing changes`, async () => {
      const { agent, cookie } = await withCookie();
      const reply = await raw(server.url, "POST", "/me/channels/chat", { ...cookie, ...headers }, READY);
      assert.equal(reply.status, 403);
      assert.deepEqual([reply.body.status, reply.body.statusCode], ["error", 5]);
      assert.equal(await chatState(agent), "NotReady");
    });
  }

  for (const [name, headers] of [
    ["no content type", {}],
    ["text/plain (what a form sends)", { "content-type": "text/plain" }],
    ["application/x-www-form-urlencoded", { "content-type": "application/x-www-form-urlencoded" }],
  ] as const) {
    it(`with ${name}: 415, statusCode 1, nothing changes`, async () => {
      const { agent, cookie } = await withCookie();
      const reply = await raw(server.url, "POST", "/me/channels/chat", { ...cookie, ...headers }, READY);
      assert.equal(reply.status, 415);
      assert.deepEqual([reply.body.status, reply.body.statusCode], ["error", 1]);
      assert.equal(await chatState(agent), "NotReady");
    });
  }

  it("from our own origin, or Sec-Fetch-Site same-origin, or a client that says neither: done", async () => {
    const trusted: Headers[] = [{ origin: own }, { "sec-fetch-site": "same-origin" }, {}];
    for (const headers of trusted) {
      const { agent, cookie } = await withCookie();
      const reply = await raw(server.url, "POST", "/me/channels/chat", { ...cookie, ...JSON_TYPE, ...headers }, READY);
      assert.equal(reply.status, 200, JSON.stringify(headers));
      assert.equal(await chatState(agent), "Ready");
    }
  });

  it("a write without a body needs no content type, but still our origin", async () => {
    const admin = ((await api.request("GET", "/me", ADMIN)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const doomed = await api.createAgent("doomed");
    assert.equal((await raw(server.url, "DELETE", `/users/${doomed.id}`, { cookie: admin, origin: "https://evil.example" })).status, 403);
    assert.equal((await raw(server.url, "DELETE", `/users/${doomed.id}`, { cookie: admin })).status, 200);
    const { cookie } = await withCookie();
    assert.equal((await raw(server.url, "POST", "/me/logout", { ...cookie, origin: "https://evil.example" })).status, 403, "no forced logout either");
    assert.equal((await raw(server.url, "POST", "/me/logout", { ...cookie, origin: own })).status, 200);
  });

  it("reads are not concerned", async () => {
    const { cookie } = await withCookie();
    assert.equal((await raw(server.url, "GET", "/me", { ...cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status, 200);
  });

  it("Basic-authenticated writes from scripts are not concerned; from a foreign page (the browser's cached credentials), 403", async () => {
    const agent = await api.createAgent("scripted-writer");
    assert.equal((await raw(server.url, "POST", "/me/channels/chat", { ...agent.headers, ...JSON_TYPE }, READY)).status, 200);
    const foreign = await raw(server.url, "POST", "/me/channels/chat", { ...agent.headers, origin: "https://evil.example", ...JSON_TYPE }, READY);
    assert.equal(foreign.status, 403);
    assert.equal((await raw(server.url, "POST", "/me/channels/chat", { ...agent.headers, "sec-fetch-site": "cross-site" })).status, 403);
    assert.equal(
      (await raw(server.url, "POST", "/me/channels/email", { ...agent.headers }, READY)).status,
      200,
      "a body without a type is JSON, as curl sends it",
    );
  });
});

describe("an agent's cookie from another site's page", () => {
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("opens no WebSocket on /api/v2/notifications (no CORS guards one: that page would read every notification)", async () => {
    const agent = await api.createAgent("ws-origin");
    const cookie = ((await api.request("GET", "/me", agent.headers)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const url = `${server.url.replace(/^http/, "ws")}/api/v2/notifications`;
    assert.equal(await upgradeStatus(url, { cookie, origin: "https://evil.example" }), 403);
    assert.equal(await upgradeStatus(url, { cookie, "sec-fetch-site": "same-site" }), 403);
    assert.equal(await upgradeStatus(url, { cookie, origin: server.url }), 101, "parley's own page");
    assert.equal(await upgradeStatus(url, { cookie }), 101, "a desktop that is no browser");
    const polled = await rawBayeux(`${server.url}/api/v2/notifications`).post([{ channel: "/meta/handshake", version: "1.0" }], {
      cookie,
      origin: "https://evil.example",
    });
    assert.equal(polled.status, 403);
  });

  it("sends no internal-poke: a push to a customer carrying another site's text", async () => {
    const refused = await postForm(
      `${server.url}/genesys/1/service/any-service/internal-poke`,
      { poke_message: "click here" },
      {
        ...(await api.createAgent("poker2")).headers,
        origin: "https://evil.example",
      },
    );
    assertGmsError(refused, 403, "ForbiddenException");
  });
});

describe("with PUBLIC_URL", () => {
  let server: TestServer;
  let api: ReturnType<typeof agentApi>;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, PUBLIC_URL: "https://cx.example.com/parley" } });
    api = agentApi(server.url);
  });
  after(() => server.close());

  it("PUBLIC_URL's origin is our own, and only it", async () => {
    const agent = await api.createAgent("public");
    const cookie = ((await api.request("GET", "/me", agent.headers)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const write = (origin: string) => raw(server.url, "POST", "/me/channels/chat", { cookie, origin, ...JSON_TYPE }, READY);
    assert.equal((await write(server.url)).status, 403, "the address the request came to is not the public one");
    assert.equal((await write("https://cx.example.com")).status, 200);
  });
});

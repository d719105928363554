/**
 * How parley serves its web pages (src/http/web.ts): the pages at `/` and `/agent` with a
 * Content-Security-Policy that allows no inline script and no other origin, revalidated on every
 * load; their hashed assets immutable; widget.js for other sites; a clear 503 before a build.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { get, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { registerWebPages } from "../../src/http/web.ts";
import { startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** A GET with this Accept-Encoding, its body as sent (fetch would decode it). */
function raw(path: string, acceptEncoding: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${server.url}${path}`, { headers: { "accept-encoding": acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });
}

async function fetchText(path: string) {
  const response = await fetch(`${server.url}${path}`);
  return { response, text: await response.text() };
}

describe("web pages", () => {
  for (const path of ["/", "/agent"]) {
    it(`${path}: HTML under a strict policy, revalidated, its scripts and styles from hashed files`, async () => {
      const { response, text } = await fetchText(path);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(response.headers.get("cache-control"), "no-cache");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      const policy = response.headers.get("content-security-policy") ?? "";
      for (const directive of [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ]) {
        assert.ok(policy.split("; ").includes(directive), `${directive} in ${policy}`);
      }
      assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/);
      const scripts = [...text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
      assert.ok(scripts.length > 0);
      for (const [, attributes, body] of scripts) {
        assert.match(attributes ?? "", /src="assets\/[\w-]+-[A-Z0-9]{8}\.js"/, "every script is a hashed file");
        assert.equal(body, "", "no inline script");
      }
      assert.doesNotMatch(text, /style="/);
      for (const [, asset] of text.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)) {
        const file = await fetch(`${server.url}/${asset}`);
        assert.equal(file.status, 200, asset);
        assert.equal(file.headers.get("cache-control"), "public, max-age=31536000, immutable");
        assert.match(file.headers.get("content-type") ?? "", asset?.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
        await file.arrayBuffer();
      }
    });
  }

  it("widget.js: a fixed name other sites embed, cached briefly, loadable cross-origin", async () => {
    const { response, text } = await fetchText("/widget.js");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.equal(response.headers.get("cache-control"), "public, max-age=300");
    assert.equal(response.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.ok(text.length > 0);
  });

  it("sends the compressed variant the browser accepts (brotli, then gzip), the same bytes once decoded", async () => {
    const html = await fetchText("/");
    const script = /src="(assets\/[^"]+\.js)"/.exec(html.text)?.[1];
    assert.ok(script);
    for (const path of ["/", `/${script}`, "/widget.js"]) {
      const plain = await raw(path, "identity");
      assert.equal(plain.headers["content-encoding"], undefined, path);
      const br = await raw(path, "gzip, deflate, br");
      assert.equal(br.headers["content-encoding"], "br", path);
      assert.ok(br.body.length < plain.body.length, `${path}: ${br.body.length} < ${plain.body.length}`);
      assert.deepEqual(brotliDecompressSync(br.body), plain.body);
      const gz = await raw(path, "br;q=0, gzip");
      assert.equal(gz.headers["content-encoding"], "gzip", path);
      assert.deepEqual(gunzipSync(gz.body), plain.body);
      assert.match(String(br.headers.vary), /accept-encoding/i);
    }
  });

  it("tells the pages GMS_APP_NAME in a meta element (the Chat API's and Context Services' paths are built on it)", async () => {
    assert.match((await fetchText("/")).text, /<meta name="parley-gms-app" content="genesys">/);
    const renamed = await startServer({ env: { GMS_APP_NAME: "cx" } });
    try {
      for (const path of ["/", "/agent"]) {
        const response = await fetch(`${renamed.url}${path}`);
        assert.match(await response.text(), /<meta name="parley-gms-app" content="cx">/, path);
      }
      const br = await new Promise<Buffer>((resolve, reject) => {
        get(`${renamed.url}/`, { headers: { "accept-encoding": "br" } }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve(Buffer.concat(chunks)));
        }).on("error", reject);
      });
      assert.match(brotliDecompressSync(br).toString(), /content="cx"/, "the compressed page says it too");
    } finally {
      await renamed.close();
    }
  });

  it("an unknown asset is a 404, and nothing outside the build is reachable", async () => {
    for (const path of ["/assets/nope-AAAAAAAA.js", "/assets/..%2Fpackage.json", "/assets/%2E%2E%2F%2E%2E%2Fpackage.json"]) {
      const { response } = await fetchText(path);
      assert.equal(response.status, 404, path);
    }
  });

  it("before a build, the pages answer 503 saying how to build them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-web-"));
    const app = Fastify();
    registerWebPages(app, { gmsAppName: "genesys", dir: join(dir, "missing") });
    try {
      for (const url of ["/", "/agent", "/widget.js"]) {
        const reply = await app.inject({ url });
        assert.equal(reply.statusCode, 503, url);
        assert.match(reply.body, /npm run build/);
      }
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

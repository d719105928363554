/**
 * Fuzzing every route from outside (fast-check, fixed seed, so a failure replays): random
 * methods, path parameters, query strings, content types, encodings and bodies, with and without
 * credentials. No answer may be a 5xx, and the server must still be healthy afterwards. The
 * routes come from the OpenAPI document, so a new route is fuzzed without editing this file.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { ADMIN, ADMIN_PASSWORD } from "../support/agents.ts";
import { get, present, startServer, type TestServer } from "../support/server.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 700);

let server: TestServer;
let routes: { method: string; path: string }[];
before(async () => {
  server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, BODY_LIMIT_BYTES: "65536" } });
  const doc = (await get(`${server.url}/docs`)).body as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  // The two CometD endpoints are not fastify routes.
  routes.push({ method: "POST", path: "/genesys/cometd" }, { method: "POST", path: "/api/v2/notifications" }, { method: "GET", path: "/genesys/cometd" });
});
after(() => server.close());

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("", " ", "%", "%ZZ", "%ED%A0%80", "..", "../..", "0", "-1", "99999999999999999999", "null", "true", "*", "\u0000", "a/b", "🙂", "\\ud800"),
);
const segment = text.map((s) => encodeURIComponent(s).slice(0, 300) || "x").chain((s) => fc.constantFrom(s, s.replace(/%/g, "%25"), s.replace(/%2F/gi, "/")));
const query = fc.array(
  fc.tuple(
    fc.oneof(
      text,
      fc.constantFrom(
        "extensions",
        "transcriptPosition",
        "_verbose",
        "time_from",
        "max_services",
        "fields",
        "state_id",
        "include_profile",
        "jsonp",
        "message",
        "export_content",
        "secureKey",
        "userId",
        "operation",
        "fileId",
        "pushUrl",
        "nickname",
        "userData[x]",
        "userData",
      ),
    ),
    text,
  ),
  { maxLength: 6 },
);
const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=xyz",
  "text/plain",
  "application/xml",
  "application/vnd.api+json",
  "garbage",
  "application/json; charset=latin1",
);
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc
    .jsonValue({ maxDepth: 3 })
    .map((v) => JSON.stringify({ customer_id: "c", contact_key: "k", state_id: 1, operationName: "Accept", text: "x", mediaType: "chat", value: v })),
  fc.constantFrom('{"__proto__":{"x":1}}', '{"a":"\\ud800"}', "[".repeat(80), '{"a":', "{}", "[]", "null", '"str"', "1e999"),
);
const body = fc.oneof(
  jsonBody,
  fc.string({ maxLength: 200 }),
  query.map((pairs) => new URLSearchParams(pairs).toString()),
  fc.constantFrom(
    '--xyz\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--xyz--\r\n',
    "--xyz\r\n\r\n",
    "\u0000\u0001\u0002",
    // Chat API v2 uploads: a file part, two of them, one without a name, one cut short.
    '--xyz\r\nContent-Disposition: form-data; name="file"; filename="../../a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--xyz--\r\n',
    '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nx\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="b.txt"\r\n\r\ny\r\n--xyz--\r\n',
    '--xyz\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\nx\r\n--xyz--\r\n',
    '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nunfinished',
  ),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
);
const credentials = fc.constantFrom<Record<string, string>>({}, ADMIN, { gms_user: "fuzzer" }, { authorization: "Basic !!!" }, { gms_user: "x".repeat(300) });
const encoding = fc.constantFrom(undefined, "gzip", "br", "identity", "nonsense");

interface Attempt {
  method: string;
  url: string;
  status: number;
}

describe("fuzzing every route", () => {
  it(`answers ${RUNS} random requests without a 5xx, and stays healthy`, async () => {
    const failures: Attempt[] = [];
    await fc
      .assert(
        fc.asyncProperty(
          fc.nat(),
          fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
          fc.boolean(),
          fc.array(segment, { minLength: 1, maxLength: 4 }),
          query,
          contentType,
          fc.option(body, { nil: undefined }),
          credentials,
          encoding,
          async (pick, otherMethod, useOther, segments, pairs, type, payload, headers, contentEncoding) => {
            const route = present(routes[pick % routes.length], "a route");
            let i = 0;
            const path = route.path.replace(/\{[^}]+\}/g, () => present(segments[i++ % segments.length], "a path segment"));
            const url = `${server.url}${path}${pairs.length > 0 ? `?${new URLSearchParams(pairs)}` : ""}`;
            const method = useOther ? otherMethod : route.method;
            const init: RequestInit = { method, headers: { ...headers } };
            if (type !== undefined) (init.headers as Record<string, string>)["content-type"] = type;
            if (contentEncoding !== undefined) (init.headers as Record<string, string>)["content-encoding"] = contentEncoding;
            if (payload !== undefined && method !== "GET") init.body = payload;
            const reply = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) }).catch((err: Error) => ({
              status: 0,
              text: async () => err.message,
            }));
            const status = reply.status;
            // Held CometD connects are answered; a status of 0 would be a broken connection.
            if (status >= 500 || status === 0) failures.push({ method, url: url.slice(0, 300), status });
            if ("body" in reply) await reply.text();
            return status < 500 && status !== 0;
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      )
      .catch((err: Error) => {
        throw new Error(`${err.message.split("\n")[0]}\nfailed requests: ${JSON.stringify(failures.slice(0, 5), null, 1)}`);
      });
    assert.equal((await get(`${server.url}/health`)).status, 200);
    assert.equal((await get(`${server.url}/ready`)).status, 200);
  });
});

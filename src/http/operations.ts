/**
 * Operations: liveness and readiness (for a load balancer, on the main port always), and
 * Prometheus metrics and the OpenAPI document (on the main port, or on the OPS_BIND listener).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { Store } from "../store/store.ts";

export interface OperationDeps {
  store: Store;
}

export interface OpsDeps {
  registry: Registry;
  /** The main API's OpenAPI document (its fastify instance's `swagger()`), wherever it is served from. */
  document: () => unknown;
}

export function registerHealthRoutes(app: FastifyInstance, { store }: OperationDeps): void {
  /** Liveness: the process serves HTTP. */
  app.get("/health", { schema: { tags: ["Operations"], summary: "Liveness" } }, async () => ({ status: "ok" }));

  /** Readiness: the database answers; a load balancer should route here only then. */
  app.get("/ready", { schema: { tags: ["Operations"], summary: "Readiness" } }, async (request, reply) => {
    try {
      await store.ping();
      return { status: "ready" };
    } catch (err) {
      request.log.warn({ err }, "readiness check failed");
      return reply.code(503).send({ status: "unavailable", message: "database not reachable" });
    }
  });
}

/** `/metrics`, `/docs`, `/docs/json` and `/docs/ui/`: what tells how the server is built and used. */
export function registerOpsRoutes(app: FastifyInstance, { registry, document }: OpsDeps): void {
  const hide = { hide: true } as const;
  app.get("/metrics", { schema: { ...hide } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  for (const url of ["/docs", "/docs/json"]) {
    app.get(url, { schema: { ...hide } }, async () => document());
  }
  registerDocsPage(app);
}

/**
 * A browsable page for the OpenAPI document at `/docs/ui`: Swagger UI from the swagger-ui-dist
 * package, served from this server (no CDN: parley runs where there is no internet).
 */
function registerDocsPage(app: FastifyInstance): void {
  const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const assets: Record<string, { type: string; body: Buffer }> = {
    "swagger-ui.css": { type: "text/css; charset=utf-8", body: readFileSync(join(dist, "swagger-ui.css")) },
    "swagger-ui-bundle.js": { type: "text/javascript; charset=utf-8", body: readFileSync(join(dist, "swagger-ui-bundle.js")) },
    // Swagger UI fetches `url` relative to the page (/docs/ui/), not to this script: ../json is /docs/json.
    "init.js": {
      type: "text/javascript; charset=utf-8",
      body: Buffer.from('window.ui = SwaggerUIBundle({ url: "../json", dom_id: "#docs", deepLinking: true });\n'),
    },
  };
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>parley API</title><link rel="stylesheet" href="./swagger-ui.css"></head>
<body><div id="docs"></div><script src="./swagger-ui-bundle.js"></script><script src="./init.js"></script></body></html>
`;
  const headers = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    "x-content-type-options": "nosniff",
  };
  // Relative, so behind a proxy that serves parley under a path (PUBLIC_URL https://host/parley) it stays under it.
  app.get("/docs/ui", { schema: { hide: true } }, async (_request, reply) => reply.redirect("ui/"));
  app.get("/docs/ui/", { schema: { hide: true } }, async (_request, reply) => reply.headers(headers).type("text/html; charset=utf-8").send(page));
  app.get<{ Params: { file: string } }>("/docs/ui/:file", { schema: { hide: true } }, async (request, reply) => {
    const asset = assets[request.params.file];
    if (asset === undefined) return reply.code(404).send({ message: "No such file", exception: "NotFoundException" });
    return reply
      .headers({ ...headers, "cache-control": "public, max-age=3600" })
      .type(asset.type)
      .send(asset.body);
  });
}

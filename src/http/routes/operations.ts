/** Operations: liveness, readiness, Prometheus metrics and the OpenAPI document. */
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { Store } from "../../store/store.ts";

export interface OperationDeps {
  store: Store;
  registry: Registry;
}

export function registerOperationRoutes(app: FastifyInstance, { store, registry }: OperationDeps): void {
  const hide = { hide: true } as const;

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

  app.get("/metrics", { schema: { ...hide } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  for (const url of ["/docs", "/docs/json"]) {
    app.get(url, { schema: { ...hide } }, async () => app.swagger());
  }
}

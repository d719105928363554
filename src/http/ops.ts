/**
 * The operations listener (OPS_BIND): `/metrics` and the OpenAPI document of the main API, away
 * from the port customers reach, plus `/health` and `/ready` for whatever watches it. It asks
 * for no credentials: bind it to an interface only your monitoring reaches.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "../logger.ts";
import type { Store } from "../store/store.ts";
import { toGmsError } from "./errors.ts";
import { registerHealthRoutes, registerOpsRoutes, type OpsDeps } from "./operations.ts";

export interface OpsServerDeps extends OpsDeps {
  store: Store;
  logger: Logger;
}

export async function buildOpsServer(deps: OpsServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ listener: "ops" }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Only GETs are served here: nothing to read from a body.
    bodyLimit: 1024,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  app.setErrorHandler((err, request, reply) => {
    const error = toGmsError(err);
    if (error.serverFault) request.log.error({ err }, "request failed");
    return reply.code(error.status).send(error.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No such resource: ${request.method} ${request.url.slice(0, 256)}`, exception: "NotFoundException" }),
  );
  registerHealthRoutes(app, { store: deps.store });
  registerOpsRoutes(app, { registry: deps.registry, document: deps.document });
  await app.ready();
  return app;
}

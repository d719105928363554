/**
 * The HTTP adapter: fastify with TypeBox validation, JSON parsing, the GMS error body, request
 * metrics, the OpenAPI document, and every route module mounted under its base path.
 * Fastify is imported only under src/http/.
 */
import swagger from "@fastify/swagger";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { ActionContext } from "../actions/context.ts";
import type { Config } from "../config.ts";
import type { Metrics } from "../metrics.ts";
import type { AgentAuthentication } from "../access/authentication.ts";
import type { GmsUserVerifier } from "../access/gms-user.ts";
import { registerChatApi } from "./chat/index.ts";
import type { CsAuthConfig } from "../access/context-services.ts";
import type { Store } from "../store/store.ts";
import { registerAgentApi } from "./agent/index.ts";
import { registerBodyParsers } from "./body.ts";
import { guardConnections } from "./connections.ts";
import { cometdPaths, documentResponses } from "./openapi.ts";
import { gmsErrorReplier, registerHooks } from "./hooks.ts";
import { registerContextServices, requireContextServicesCredentials } from "./cs/index.ts";
import { registerHealthRoutes, registerOpsRoutes } from "./operations.ts";
import { compileValidator } from "./validation.ts";

export interface HttpDeps {
  config: Config;
  logger: Logger;
  ctx: ActionContext;
  store: Store;
  metrics: Metrics;
  version: string;
  /** Who an agent API request comes from. */
  authentication: AgentAuthentication;
  /** Who a Chat API caller's gms_user is. */
  verifyGmsUser: GmsUserVerifier;
  /** Serves paths it claims (CometD long-polling) before fastify sees the request. */
  rawHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * Path parameters are checked against their schemas (at most 255 characters); the router's own
 * cap sits above that, room for percent-encoding, so the schema's message is the one clients see.
 */
const MAX_PARAM_LENGTH = 1024;
export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const { config, metrics } = deps;
  const sendError = gmsErrorReplier(config.httpLingerMs);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Requests are logged once, at debug, by the onResponse hook (hooks.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // The same proxies clientAddress trusts: the first TRUST_PROXY hops.
    trustProxy: config.trustProxy > 0 ? (_address: string, hop: number) => hop < config.trustProxy : false,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors the router raises before any route runs get the documented body too.
    frameworkErrors: (err, request, reply) => sendError(err, request, reply),
    serverFactory: (handler) => {
      const server = createServer(
        {
          headersTimeout: config.httpHeadersTimeoutMs,
          requestTimeout: config.httpRequestTimeoutMs,
          connectionsCheckingInterval: Math.min(1000, config.httpHeadersTimeoutMs),
        },
        (req, res) => {
          const started = performance.now();
          if (deps.rawHandler?.(req, res) !== true) return handler(req, res);
          // CometD HTTP requests bypass fastify: they are timed here, by the path they claimed.
          res.once("close", () => {
            const route = (req.url ?? "").split("?")[0] ?? "";
            metrics.httpDuration.series(req.method ?? "", route, res.statusCode)((performance.now() - started) / 1000);
          });
        },
      );
      server.keepAliveTimeout = config.httpKeepAliveTimeoutMs;
      guardConnections(server, { maxPerIp: config.maxConnectionsPerIp, firstRequestTimeoutMs: config.httpFirstRequestTimeoutMs }, deps.logger);
      return server;
    },
  });
  app.setValidatorCompiler(compileValidator);
  registerBodyParsers(app, config.jsonMaxDepth);

  registerHooks(app, { sendError, responseLimitBytes: config.responseLimitBytes, httpDuration: metrics.httpDuration });

  documentResponses(app);
  await app.register(swagger, {
    transformObject: (document) => {
      if (!("openapiObject" in document)) return document.swaggerObject;
      const doc = document.openapiObject;
      return { ...doc, paths: { ...doc.paths, ...(cometdPaths(config.gmsAppName) as typeof doc.paths) } } as typeof doc;
    },
    openapi: {
      info: { title: "parley", version: deps.version, description: "Genesys Mobile Services compatible engagement server" },
    },
  });

  const csAuth: CsAuthConfig = { mode: config.csAuth, users: config.csAuthUsers, apiKeys: config.csApiKeys };
  await registerContextServices(app, { ctx: deps.ctx, base: `/${config.gmsAppName}/1/cs`, publicUrl: config.publicUrl, auth: csAuth });
  await registerChatApi(app, {
    ctx: deps.ctx,
    base: `/${config.gmsAppName}/1/service`,
    verifyGmsUser: deps.verifyGmsUser,
    authentication: deps.authentication,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    jsonMaxDepth: config.jsonMaxDepth,
  });
  await registerAgentApi(app, {
    ctx: deps.ctx,
    authentication: deps.authentication,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    // Issue 17's CORS_ORIGINS will be trusted here too.
    trustedOrigins: [],
    sessionTtlMs: config.agentSessionTtlMs,
    limits: { httpLingerMs: config.httpLingerMs },
  });
  registerHealthRoutes(app, { store: deps.store });
  // Metrics and the document tell how the server is built and used: on their own listener
  // (OPS_BIND), or here behind Context Services' credentials when it has any.
  if (config.opsBind === null) {
    await app.register(async (ops) => {
      requireContextServicesCredentials(ops, csAuth);
      registerOpsRoutes(ops, { registry: metrics.registry, document: () => app.swagger() });
    });
  }
  return app;
}

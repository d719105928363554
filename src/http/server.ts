/**
 * The main listener: a Node server with its timeouts and connection guard (CometD's raw handler
 * ahead of fastify), fastify with TypeBox validation and JSON parsing, then each part with its
 * slice of the configuration: the hooks every request passes (hooks.ts), the OpenAPI document,
 * Context Services, the Chat API, the agent API, and operations.
 * Fastify is imported only under src/http/.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory } from "fastify";
import { applyCors, type CorsPolicy } from "./cors.ts";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AgentAuthentication } from "../access/authentication.ts";
import type { CsAuthConfig } from "../access/context-services.ts";
import type { GmsUserVerifier } from "../access/gms-user.ts";
import type { ActionContext } from "../actions/context.ts";
import type { Config } from "../config.ts";
import type { Metrics } from "../metrics.ts";
import type { Store } from "../store/store.ts";
import { AGENT_API_BASE, gwsErrorReplier, registerAgentApi } from "./agent/index.ts";
import { registerBodyParsers } from "./body.ts";
import { registerChatApi } from "./chat/index.ts";
import { registerChatV2Api } from "./chat-v2/index.ts";
import { chatV2ErrorReplier } from "./chat-v2/errors.ts";
import { guardConnections, type ConnectionLimits } from "./connections.ts";
import { registerContextServices, requireContextServicesCredentials } from "./cs/index.ts";
import { gmsErrorReplier, registerHooks } from "./hooks.ts";
import { registerOpenApi } from "./openapi.ts";
import { registerHealthRoutes, registerOpsRoutes } from "./operations.ts";
import { compileValidator } from "./validation.ts";
import { registerWebPages } from "./web.ts";
import { fromTrustedOrigin, ownOrigin } from "../origin.ts";

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
  const sendAgentError = gwsErrorReplier(config.httpLingerMs);
  const sendChatV2Error = chatV2ErrorReplier(config.httpLingerMs);
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
    frameworkErrors: (err, request, reply) => {
      if (request.url.startsWith(`${AGENT_API_BASE}/`)) return sendAgentError(err, request, reply);
      return (request.url.startsWith(`/${config.gmsAppName}/2/`) ? sendChatV2Error : sendError)(err, request, reply);
    },
    serverFactory: nodeServer(
      {
        headersTimeoutMs: config.httpHeadersTimeoutMs,
        requestTimeoutMs: config.httpRequestTimeoutMs,
        keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
        connections: { maxPerIp: config.maxConnectionsPerIp, firstRequestTimeoutMs: config.httpFirstRequestTimeoutMs },
        rawHandler: deps.rawHandler,
        httpDuration: metrics.httpDuration,
        cors: { origins: config.corsOrigins, prefixes: [`/${config.gmsAppName}/`, "/api/v2/"] },
      },
      deps.logger,
    ),
  });
  app.setValidatorCompiler(compileValidator);
  registerBodyParsers(app, config.jsonMaxDepth);
  registerHooks(app, { sendError, responseLimitBytes: config.responseLimitBytes, httpDuration: metrics.httpDuration });
  await registerOpenApi(app, { version: deps.version, gmsAppName: config.gmsAppName });

  const csAuth: CsAuthConfig = { mode: config.csAuth, users: config.csAuthUsers, apiKeys: config.csApiKeys };
  await registerContextServices(app, {
    ctx: deps.ctx,
    base: `/${config.gmsAppName}/1/cs`,
    publicUrl: config.publicUrl,
    auth: csAuth,
    // Only parley's own page, never a CORS_ORIGINS site's: the cookie goes wherever the agent browses on its parent domain.
    agentSession: async (request) =>
      (request.method === "GET" || request.method === "HEAD") &&
      fromTrustedOrigin(request.headers, ownOrigin(request.raw, config.trustProxy, config.publicUrl), []) &&
      (await deps.authentication.sessionUser(request.headers)) !== null,
  });
  await registerChatApi(app, {
    ctx: deps.ctx,
    base: `/${config.gmsAppName}/1/service`,
    verifyGmsUser: deps.verifyGmsUser,
    authentication: deps.authentication,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    trustedOrigins: config.corsOrigins,
    jsonMaxDepth: config.jsonMaxDepth,
  });
  await registerChatV2Api(app, {
    ctx: deps.ctx,
    base: `/${config.gmsAppName}/2`,
    trustProxy: config.trustProxy,
    jsonMaxDepth: config.jsonMaxDepth,
    apiKeys: config.chatV2ApiKeys,
    lingerMs: config.httpLingerMs,
    files: { maxBytes: config.chatV2FileMaxBytes },
  });
  await registerAgentApi(app, {
    ctx: deps.ctx,
    authentication: deps.authentication,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    // A page CORS_ORIGINS lets call the agent API may also write with the agent's cookie.
    trustedOrigins: config.corsOrigins,
    sessionTtlMs: config.agentSessionTtlMs,
    limits: { httpLingerMs: config.httpLingerMs },
    version: deps.version,
  });
  registerHealthRoutes(app, { store: deps.store });
  registerWebPages(app, { gmsAppName: config.gmsAppName });
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

interface NodeServerOptions {
  /** HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Connections per address and the first request's deadline (connections.ts). */
  connections: ConnectionLimits;
  /** Serves paths it claims (CometD long-polling) before fastify sees the request. */
  rawHandler: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** Where a raw-handled request's duration goes (fastify's are timed by hooks.ts). */
  httpDuration: Metrics["httpDuration"];
  /** CORS_ORIGINS on the Chat API, customer CometD and agent API: applied before any route, CometD included. */
  cors: CorsPolicy;
}

/** The Node server under fastify: its timeouts, the connection guard, and the raw handler first. */
function nodeServer(options: NodeServerOptions, logger: Logger): FastifyServerFactory {
  return (handler) => {
    const server = createServer(
      {
        headersTimeout: options.headersTimeoutMs,
        requestTimeout: options.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
      },
      (req, res) => {
        const started = performance.now();
        if (applyCors(req, res, options.cors)) return;
        if (options.rawHandler?.(req, res) !== true) return handler(req, res);
        // CometD HTTP requests bypass fastify: they are timed here, by the path they claimed.
        res.once("close", () => {
          const route = (req.url ?? "").split("?")[0] ?? "";
          options.httpDuration.series(req.method ?? "", route, res.statusCode)((performance.now() - started) / 1000);
        });
      },
    );
    server.keepAliveTimeout = options.keepAliveTimeoutMs;
    guardConnections(server, options.connections, logger);
    return server;
  };
}

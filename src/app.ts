/**
 * The composition root: picks the store from the configuration and wires store, actions, HTTP
 * and workers together. Nothing else constructs infrastructure; tests build as many apps as they
 * like, each with its own database, metrics and clock.
 */
import type { FastifyInstance } from "fastify";
import { readFileSync } from "node:fs";
import { AgentAuthentication, credentialKeys } from "./access/authentication.ts";
import { ChatAllowance } from "./access/chat-allowance.ts";
import { isLoopback } from "./access/context-services.ts";
import { clientAddress } from "./client-address.ts";
import { gmsUserVerifier, type GmsUserVerifier } from "./access/gms-user.ts";
import { allQueueViews, ensureDefaultQueue, ensureQueues, publishQueueStatistics } from "./actions/queues.ts";
import { createPushPort } from "./push/push.ts";
import { LocalFileStore } from "./files/file-store.ts";
import { customerPresent, serveChatV2OverCometd } from "./http/chat-v2/cometd.ts";
import { chatFeedListener } from "./actions/chat-delivery.ts";
import { createDemoUsers, ensureAdmin, type GeneratedCredentials } from "./actions/users.ts";
import type { ActionContext } from "./actions/context.ts";
import { QueueStatisticsPush } from "./actions/queue-statistics-push.ts";
import { SupervisorChanges } from "./actions/supervisor-changes.ts";
import { BayeuxEngine } from "./bayeux/engine.ts";
import { agentEndpoint, customerEndpoint, type AgentAuthenticator } from "./bayeux/endpoints.ts";
import { longPollingHandler } from "./bayeux/long-polling.ts";
import { attachWebSocket, type WebSocketBinding } from "./bayeux/websocket.ts";
import type { Bus } from "./bus/bus.ts";
import { MemoryBus, type MemoryHub } from "./bus/memory.ts";
import { RedisBus } from "./bus/redis.ts";
import type { Config } from "./config.ts";
import { agentStateOperations } from "./domain/agent-state.ts";
import { buildOpsServer } from "./http/ops.ts";
import { buildHttpServer } from "./http/server.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics, createQueueMeter, registerBayeuxMetrics, registerQueueGauges, type Metrics } from "./metrics.ts";
import { openStore } from "./store/open.ts";
import type { Store } from "./store/store.ts";
import { timedStore } from "./store/timed.ts";
import { SUPERVISOR_CHANNEL, supervisorChangeMessage } from "./wire/agent-api.ts";
import { followCometdEvents } from "./workers/cometd-events.ts";
import { startHousekeeping, type Housekeeping } from "./workers/housekeeping.ts";
import { startPresence, type LocalAgents, type PresenceWorker } from "./workers/presence.ts";
import { startRouter, type Router } from "./workers/router.ts";
import { policyOf } from "./domain/queue-policy.ts";
import { RoutingView } from "./actions/routing-view.ts";

export interface App {
  http: FastifyInstance;
  store: Store;
  ctx: ActionContext;
  metrics: Metrics;
  housekeeping: Housekeeping;
  router: Router;
  /** Agent presence across nodes: this node's renewals and its sweep for agents of nodes that died. */
  presence: PresenceWorker;
  logger: Logger;
  /** The CometD engine: `deliver` and `publish` reach clients on every node. */
  bayeux: BayeuxEngine;
  websocket: WebSocketBinding;
  /** Users a first start created with generated passwords (PARLEY_DEMO_USERS), to be shown once; empty otherwise. */
  demoCredentials: GeneratedCredentials[];
  /** Who an agent-side request comes from (session cookie or Basic). */
  authentication: AgentAuthentication;
  /** Who a gms_user is (with GMS_USER_SECRET: only with its token); for the Chat API's routes. */
  verifyGmsUser: GmsUserVerifier;
  /** Starts listening on the configured port (and OPS_BIND); resolves to the base URL (`http://127.0.0.1:PORT`). */
  listen(): Promise<string>;
  /** The operations listener's base URL (OPS_BIND: metrics and the OpenAPI document) once listening; null without it. */
  opsUrl(): string | null;
  /** Stops taking requests, finishes those in flight, stops workers, closes the database. */
  close(): Promise<void>;
}

export interface AppOverrides {
  /** Epoch milliseconds; tests move time forward instead of waiting. */
  now?: () => number;
  logger?: Logger;
  /** Several apps given one hub form a cluster in one process (tests); default: a hub of its own. */
  memoryHub?: MemoryHub;
  /** Who an agent CometD request authenticates as; default: the agent API's session or Basic credentials. */
  authenticateAgent?: AgentAuthenticator;
  /** Waits out the delay a user name's failed logins earned (tests hold or record it); default: a timer. */
  loginDelay?: (ms: number) => Promise<void>;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const store = timedStore(await openStore(config), (operation) => metrics.storeDuration.series(operation));
  const now = overrides.now ?? Date.now;
  const bus = await openBus(config, overrides.memoryHub, logger);
  const bayeux = new BayeuxEngine({
    bus,
    now,
    logger,
    limits: {
      maxQueue: config.bayeuxMaxQueue,
      maxQueueBytes: config.bayeuxMaxQueueBytes,
      maxQueueBytesPerIp: config.bayeuxMaxQueueBytesPerIp,
      maxCustomerQueueBytes: config.bayeuxMaxCustomerQueueBytes,
      maxClientsPerIdentity: config.bayeuxMaxClientsPerIdentity,
      maxSessionsPerConnection: config.bayeuxMaxSessionsPerConnection,
      maxSessionsPerIp: config.bayeuxMaxSessionsPerIp,
      maxSessions: config.bayeuxMaxSessions,
      maxSubscriptionBytes: config.bayeuxMaxSubscriptionBytes,
      maxChannelSegments: config.bayeuxMaxChannelSegments,
      maxParkedPerBrowser: 1,
      connectTimeoutMs: config.bayeuxConnectTimeoutMs,
      maxIntervalMs: config.bayeuxMaxIntervalMs,
    },
  });
  // Statistics are pushed when the queues changed, at a slower pace than the change notices (each push reads them).
  const queuePush = new QueueStatisticsPush(
    () => publishQueueStatistics(ctx),
    (err) => logger.warn({ err }, "could not push the queues' statistics"),
  );
  const supervision = new SupervisorChanges((changed) => {
    bayeux.publish("agent", SUPERVISOR_CHANNEL, supervisorChangeMessage(changed));
    if (changed.includes("queues")) queuePush.note();
  });
  const push = createPushPort(bayeux, logger, { concurrency: config.pushConcurrency, queueSize: config.pushQueueSize });
  const queuePolicies = new Map(config.queues.map((q) => [q.name, q]));
  const routingView = new RoutingView({ store, roles: config.routingRoles, bus, nodeId: bayeux.nodeId, logger, onRemoteChange: () => router.kick() });
  const ctx: ActionContext = {
    store,
    now,
    cs: {
      businessAttributes: config.businessAttributes,
      autoCompleteEnabled: config.autoCompleteEnabled,
      autoCompleteAfterSeconds: config.autoCompleteAfterSeconds,
      expirationSeconds: config.expirationSeconds,
    },
    responseLimitBytes: config.responseLimitBytes,
    notifier: bayeux,
    // Several nodes on PostgreSQL: every node pushes committed chat entries to its clients from the database's feed.
    chatFeed: store.dialect === "postgres" && bus.shared,
    supervision,
    queueMeter: createQueueMeter(metrics),
    // The router needs the context; it is started right below.
    routing: {
      offerTimeoutMs: config.routingOfferTimeoutMs,
      roles: config.routingRoles,
      policy: (queue) => policyOf(queuePolicies, queue),
      view: routingView,
      lastAgent: { windowMs: config.lastAgentWindowSeconds * 1000, waitMs: config.lastAgentWaitSeconds * 1000 },
      kick: () => router.kick(),
    },
    statisticsTimeZone: config.statisticsTimeZone,
    agentApiBase: `${config.publicUrl ?? ""}/api/v2`,
    agentStates: agentStateOperations(config.agentStates),
    interactionMaxDataBytes: config.interactionMaxDataBytes,
    historyRetentionMs: config.historyRetentionSeconds === null ? null : config.historyRetentionSeconds * 1000,
    chat: {
      services: new Map(config.chatServices.map((s) => [s.name, s])),
      customerTimeoutMs: config.chatCustomerTimeoutMs,
      maxMessageChars: config.chatMaxMessageChars,
      maxTranscriptEntries: config.chatMaxTranscriptEntries,
      maxTranscriptBytes: config.chatMaxTranscriptBytes,
      maxFieldChars: config.chatMaxFieldChars,
      data: { maxBytes: config.chatMaxDataBytes, maxValueChars: config.chatMaxDataValueChars },
      unusedServiceTtlMs: config.chatUnusedServiceTtlMs,
      allowance: new ChatAllowance(
        {
          servicesPerMinutePerIp: config.chatServicesPerMinutePerIp,
          servicesPerMinutePerUser: config.chatServicesPerMinutePerUser,
          openServicesPerIp: config.chatOpenServicesPerIp,
          chatsPerMinutePerIp: config.chatsPerMinutePerIp,
          chatsPerMinutePerUser: config.chatsPerMinutePerUser,
          openChatsPerIp: config.chatOpenChatsPerIp,
          openChatsPerUser: config.chatOpenChatsPerUser,
          entriesPerMinute: config.chatEntriesPerMinute,
        },
        now,
      ),
      trustClientIdentity: config.chatTrustClientIdentity,
      serviceBase: `/${config.gmsAppName}/1/service`,
      files: {
        store: new LocalFileStore(config.chatV2FileDir),
        maxBytes: config.chatV2FileMaxBytes,
        maxFiles: config.chatV2FileMaxFiles,
        maxTotalBytes: config.chatV2FileMaxTotalBytes,
        maxBytesPerAddress: config.chatV2FileMaxBytesPerIp,
        downloads: config.chatV2FileDownloads,
        types: config.chatV2FileTypes,
        needAgent: config.chatV2FileNeedAgent,
      },
    },
    push,
    logger,
  };
  await ensureDefaultQueue(ctx);
  // Queues of the config file, and any queue a chat service names, exist before chats arrive.
  await ensureQueues(ctx, [...config.queues, ...config.chatServices.map((s) => ({ name: s.queue, skills: [] }))]);
  await routingView.start();
  const router = startRouter(ctx, config.routingSweepMs, logger);
  let demoCredentials: GeneratedCredentials[] = [];
  if (config.adminPassword !== null && (await ensureAdmin(ctx, config.adminPassword))) {
    logger.info("created user admin (ROLE_ADMIN) from PARLEY_ADMIN_PASSWORD");
  } else if (config.adminPassword === null && config.demoUsers) {
    demoCredentials = await createDemoUsers(ctx);
  }
  const authentication = new AgentAuthentication(store, {
    sessionTtlMs: config.agentSessionTtlMs,
    failuresPerAddress: config.loginFailuresPerIp,
    maxPending: config.loginMaxPending,
    now: ctx.now,
    sleep: overrides.loginDelay,
  });
  const presence = startPresence(
    ctx,
    { nodeId: bayeux.nodeId, ttlMs: config.agentPresenceTtlMs, graceMs: config.agentOrphanGraceMs },
    localAgents(bayeux),
    logger,
  );
  followCometdEvents(bayeux, ctx, authentication, presence, logger);
  const authenticateAgent: AgentAuthenticator =
    overrides.authenticateAgent ??
    (async (req) => (await authentication.authenticate({ headers: req.headers, address: clientAddress(req, config.trustProxy) }))?.user.id ?? null);
  const verifyGmsUser = gmsUserVerifier(config.gmsUserSecret);
  const endpoints = [
    customerEndpoint(config.gmsAppName, verifyGmsUser),
    agentEndpoint(
      authenticateAgent,
      { trustProxy: config.trustProxy, publicUrl: config.publicUrl, trustedOrigins: config.corsOrigins },
      (req) => credentialKeys(req.headers),
      (id) => store.users.get(id),
    ),
  ];
  for (const endpoint of endpoints) bayeux.addEndpoint(endpoint.policy);
  serveChatV2OverCometd(bayeux, ctx, config.chatV2ApiKeys, logger);
  await bayeux.start();
  const stopChatFeed = ctx.chatFeed
    ? await store.feed.listen(chatFeedListener(ctx, bayeux.here), (err) => logger.warn({ err: err.message }, "chat feed: LISTEN connection lost; reopening"))
    : null;
  registerBayeuxMetrics(metrics, () => bayeux.stats());
  registerQueueGauges(metrics, async () =>
    (await allQueueViews(ctx)).map((view) => ({
      queue: view.queue.name,
      waiting: view.waiting,
      longestWaitSeconds: view.longestWaitSeconds,
      serviceLevel: { today: view.statistics.today.serviceLevel, last15Minutes: view.statistics.last15Minutes.serviceLevel },
    })),
  );
  const bayeuxLimits = { maxBodyBytes: config.bayeuxMaxMessageBytes, maxBatch: 100, maxDepth: config.jsonMaxDepth, lingerMs: config.httpLingerMs };
  const cookieOptions = { trustProxy: config.trustProxy, crossSiteCookie: config.bayeuxCookieCrossSite };
  const http = await buildHttpServer({
    config,
    logger,
    ctx,
    store,
    metrics,
    version: packageVersion(),
    authentication,
    verifyGmsUser,
    rawHandler: longPollingHandler(bayeux, endpoints, bayeuxLimits, cookieOptions, logger),
  });
  const websocket = attachWebSocket(
    http.server,
    bayeux,
    endpoints,
    bayeuxLimits,
    {
      trustProxy: config.trustProxy,
      pingIntervalMs: config.wsPingIntervalMs,
      // A live client sends a connect at least once per connect timeout; allow it its max interval on top.
      idleTimeoutMs: config.bayeuxConnectTimeoutMs + config.bayeuxMaxIntervalMs,
      maxMessagesPerSecondPerIp: config.wsMaxMessagesPerSecondPerIp,
      maxBufferedBytes: config.wsMaxBufferedBytes,
    },
    logger,
  );
  const ops = config.opsBind === null ? null : await buildOpsServer({ store, logger, registry: metrics.registry, document: () => http.swagger() });
  let opsUrl: string | null = null;
  const housekeeping = startHousekeeping(ctx, config.sweepIntervalMs, logger, (service) => customerPresent(bayeux, service));
  let closing: Promise<void> | null = null;
  return {
    http,
    store,
    ctx,
    metrics,
    housekeeping,
    router,
    presence,
    logger,
    bayeux,
    websocket,
    verifyGmsUser,
    authentication,
    demoCredentials,
    opsUrl: () => opsUrl,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      if (ops !== null && config.opsBind !== null) {
        await ops.listen({ port: config.opsBind.port, host: config.opsBind.host });
        opsUrl = localUrl(ops, config.opsBind.host);
      }
      if (config.csAuth === "none" && !isLoopback(config.host)) {
        const alsoOps = config.opsBind === null ? " /metrics and /docs are open too (set OPS_BIND to serve them elsewhere)." : "";
        logger.warn(
          { host: config.host },
          `Context Services (/${config.gmsAppName}/1/cs) is open to anyone who reaches this port: every customer's data can be read and changed. Set CS_AUTH=basic or CS_AUTH=apikey, or keep it behind a gateway.${alsoOps}`,
        );
      }
      return localUrl(http, "127.0.0.1");
    },
    close() {
      closing ??= (async () => {
        supervision.close();
        queuePush.close();
        // Held long-polls are answered first, or the HTTP server would wait for them.
        await bayeux.close();
        await websocket.close();
        await http.close();
        await ops?.close();
        await housekeeping.stop();
        await presence.stop();
        await push.close();
        await router.stop();
        await routingView.stop();
        await stopChatFeed?.();
        await store.close();
        await bus.close();
      })();
      return closing;
    },
  };
}

/** How this machine reaches a listening server: its bound address, loopback for a wildcard one. */
function localUrl(server: FastifyInstance, host: string): string {
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** The agents with a CometD client on this node, as the presence worker asks. */
function localAgents(bayeux: BayeuxEngine): LocalAgents {
  return { identities: () => bayeux.identities("agent"), has: (userId) => bayeux.hasClient("agent", userId) };
}

async function openBus(config: Config, hub: MemoryHub | undefined, logger: Logger): Promise<Bus> {
  if (config.redisUrl === null) return new MemoryBus(hub);
  // Once connected, a lost Redis is retried by ioredis; each failure is worth a line, not a crash.
  const onError = (err: Error) => logger.warn({ err: err.message }, "redis bus: connection error");
  return RedisBus.connect({ url: config.redisUrl, prefix: config.redisPrefix, onError });
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

import { dirname, join } from "node:path";
import { readFileConfig, type ChatServiceConfig } from "./config-file.ts";
import type { AgentStateOperation } from "./domain/agent-state.ts";
import { isTimeZone } from "./domain/calendar.ts";
import type { QueuePolicy } from "./domain/queue-policy.ts";
import type { BusinessAttribute } from "./domain/metadata.ts";
import { ROLES, type Role } from "./domain/users.ts";

/**
 * Configuration: the only reader of process.env. Every key is parsed once, synchronously, and
 * every problem is reported together so an operator fixes them in one go.
 */

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type SqliteSync = "normal" | "full";
/** Who may use Context Services (CS_AUTH): anyone, Basic credentials, or an X-API-Key. */
export type CsAuthMode = "none" | "basic" | "apikey";

export interface Config {
  /** HTTP port; 0 picks a free one (tests). */
  port: number;
  /** Interface to bind. */
  host: string;
  /**
   * A second listener (`host:port`) for `/metrics` and the OpenAPI document, which the main port
   * then no longer serves (`/health` and `/ready` answer on both); null: all on the main port.
   */
  opsBind: { host: string; port: number } | null;
  /** `sqlite:<path>` (default, embedded) or `postgres://...`. */
  databaseUrl: string;
  /** PostgreSQL schema holding parley's tables (created when missing). */
  databaseSchema: string;
  /** SQLite `synchronous` pragma: `normal` survives a process crash, `full` also a power cut. */
  sqliteSynchronous: SqliteSync;
  /** Memory for services kept after a read on SQLite, in bytes; 0 keeps none. */
  serviceCacheBytes: number;
  logLevel: LogLevel;
  /** The GMS application name, the first path segment of every GMS URL (`/genesys/1/cs`). */
  gmsAppName: string;
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  bodyLimitBytes: number;
  /** How many proxies in front append to X-Forwarded-* and are trusted (behind a load balancer: 1); 0: none. */
  trustProxy: number;
  /** Context Services `cview/auto-complete-enabled`. */
  autoCompleteEnabled: boolean;
  /** Context Services `cview/auto-complete-after`, seconds; used when a start event gives none. */
  autoCompleteAfterSeconds: number | null;
  /** Context Services `cview/expiration`: how long a service lives after its last update, seconds. */
  expirationSeconds: number;
  /** How often the housekeeping sweep (auto-complete, expiry) runs, milliseconds. */
  sweepIntervalMs: number;
  /** How long a graceful shutdown may wait for in-flight requests, milliseconds. */
  shutdownTimeoutMs: number;
  /** Redis for the cluster bus; null: one node, in-memory bus. */
  redisUrl: string | null;
  /** Prefix of every Redis channel parley uses. */
  redisPrefix: string;
  /** CometD: how long a /meta/connect is held (the advised timeout), milliseconds. */
  bayeuxConnectTimeoutMs: number;
  /** CometD: a client that has not reconnected this long after its last reply is forgotten. */
  bayeuxMaxIntervalMs: number;
  /** CometD: messages waiting for one client before it is dropped (and must handshake again). */
  bayeuxMaxQueue: number;
  /**
   * CometD: what one client's queue may hold before it is dropped (and must handshake again), in
   * characters of serialised JSON (bytes for ASCII; at most two bytes each in memory), counting
   * messages pushed over a WebSocket and not yet acknowledged. 4 MiB: a client that polls holds
   * only what came since its last reply (with acks, until its next connect acknowledges it); the
   * largest legitimate burst, an agent joining the longest chat (CHAT_MAX_TRANSCRIPT_BYTES, 256
   * KiB of text, as pages of at most 64 KiB with their JSON), comes to about 1-3 MB. A client
   * that stopped reading holds no more than this.
   */
  bayeuxMaxQueueBytes: number;
  /** What customers' CometD queues from one address may hold together, and on this node (characters). */
  bayeuxMaxQueueBytesPerIp: number;
  bayeuxMaxCustomerQueueBytes: number;
  /** CometD: clients per identity; a new one replaces the least recently seen. */
  bayeuxMaxClientsPerIdentity: number;
  /** CometD: largest request body or WebSocket frame, bytes. */
  bayeuxMaxMessageBytes: number;
  /** CometD: live clients handshaken over one WebSocket connection. */
  bayeuxMaxSessionsPerConnection: number;
  /** CometD: live clients from one address (the forwarded one behind TRUST_PROXY). */
  bayeuxMaxSessionsPerIp: number;
  /** CometD: live clients on one node. */
  bayeuxMaxSessions: number;
  /** CometD: total length of one client's subscribed channel names, characters. */
  bayeuxMaxSubscriptionBytes: number;
  /** CometD: segments in a channel name a client subscribes or publishes to. */
  bayeuxMaxChannelSegments: number;
  /** CometD: the BAYEUX_BROWSER cookie is for a widget on another site (`SameSite=None; Secure; Partitioned`). */
  bayeuxCookieCrossSite: boolean;
  /** CometD WebSocket: ping interval; a socket that misses one pong is closed, milliseconds. */
  wsPingIntervalMs: number;
  /**
   * CometD WebSocket: bytes waiting to be written to one peer (beyond what the kernel's send buffer
   * took) past which nothing more is pushed to it and the socket is cut; what was not pushed stays
   * queued (BAYEUX_MAX_QUEUE_BYTES) for the client's next connect. Checked before each push and
   * reply, so a burst written in one go never trips it, only what is still unread when the next
   * one comes. 1 MiB: the largest legitimate burst (an agent joining a long chat, pages of at
   * most 64 KiB) goes out in one write, which never trips it; a peer that stopped reading costs
   * at most this much more, beyond what the kernel holds for it.
   */
  wsMaxBufferedBytes: number;
  /**
   * Messages a second the WebSockets of one address may send to customers' CometD, in bursts of
   * as many; past it they are not read until the address is back within it. A client sends one
   * connect every half minute, and a few messages when it starts; 0: no limit.
   */
  wsMaxMessagesPerSecondPerIp: number;
  /**
   * With it set, a `gms_user` counts only with a JWT signed with this secret (HS256) whose `sub`
   * is the user; null: gms_user is a plain claim, as in GMS.
   */
  gmsUserSecret: string | null;
  /** Deepest nesting of arrays and objects accepted in a JSON body or CometD batch. */
  jsonMaxDepth: number;
  /** Largest response body; a larger one is refused with 413, bytes. */
  responseLimitBytes: number;
  /** The URL clients reach parley at (behind a proxy); used for `Location`. Null: the request's own. */
  publicUrl: string | null;
  /** Other sites' pages that may call the Chat API, the customer CometD and the agent API from a browser (CORS). */
  corsOrigins: string[];
  /** A connection that sends no request within this time is closed, milliseconds. */
  httpFirstRequestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, milliseconds. */
  httpKeepAliveTimeoutMs: number;
  /** Headers must arrive within this, milliseconds. */
  httpHeadersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this, milliseconds. */
  httpRequestTimeoutMs: number;
  /**
   * After refusing a body still being sent (413), how long the rest is read and discarded before
   * the connection is closed, so the client reads the answer instead of a reset; milliseconds.
   */
  httpLingerMs: number;
  /** Open connections from one peer address; 0: no cap (the default behind TRUST_PROXY). */
  maxConnectionsPerIp: number;
  /** Creates user `admin` (ROLE_ADMIN) with this password at start when no `admin` exists. */
  adminPassword: string | null;
  /**
   * On a first start (no user at all) without PARLEY_ADMIN_PASSWORD: create `admin`, `agent1` and
   * `agent2` with generated passwords, printed once, so a fresh install can be tried at once.
   */
  demoUsers: boolean;
  /** How long an agent's login session (the JSESSIONID cookie) lasts, milliseconds. */
  agentSessionTtlMs: number;
  /** Failed logins one client address may make per 15 minutes; past it 429 before any password is checked. 0: no limit. */
  loginFailuresPerIp: number;
  /** Logins waiting for their password check at most; past it 503 at once. */
  loginMaxPending: number;
  /** GWS roles whose users routing offers work to (when Ready). */
  routingRoles: Role[];
  /** How long a routing offer waits for Accept or Reject before it goes to the next agent, milliseconds. */
  routingOfferTimeoutMs: number;
  /** How often routing runs besides when something changes (expired offers, other nodes), milliseconds. */
  routingSweepMs: number;
  /** Last-agent routing: a customer's previous chat counts if it ended at most this long before the new one, seconds; 0: off. */
  lastAgentWindowSeconds: number;
  /** Last-agent routing: how long a new chat is kept for the customer's last agent, seconds; 0: off. */
  lastAgentWaitSeconds: number;
  /** How long an agent stays present without a renewal from the node holding their CometD clients (renewed every third of it), milliseconds. */
  agentPresenceTtlMs: number;
  /** How long an agent whose node died keeps their accepted chats before they go back to the queue, milliseconds. */
  agentOrphanGraceMs: number;
  /** Protection of Context Services: none (as GMS), HTTP Basic, or an API key header. */
  csAuth: CsAuthMode;
  /** CS_AUTH=basic: accepted `user:password` pairs. */
  csAuthUsers: string[];
  /** CS_AUTH=apikey: accepted `X-API-Key` values. */
  csApiKeys: string[];
  /** The optional JSON file (PARLEY_CONFIG) with queues and chat services; null: none. */
  configFile: string | null;
  /** Queues the file defines (created at start when missing), with how each is run. */
  queues: QueuePolicy[];
  /** "Today" in statistics starts at midnight here (an IANA time zone; the process's own by default). */
  statisticsTimeZone: string;
  /** Business attributes of the file (Context Services metadata; they check the fields they type). */
  businessAttributes: BusinessAttribute[];
  /** Agent-state operations besides Ready and NotReady (the config file's `agentStates`, or a default list). */
  agentStates: AgentStateOperation[];
  /** Chat services by name: the two seed services, and those of the file. */
  chatServices: ChatServiceConfig[];
  /** A chat whose customer sent nothing and had no CometD client this long is ended, milliseconds. */
  chatCustomerTimeoutMs: number;
  /** Longest chat message (customer or agent), characters. */
  chatMaxMessageChars: number;
  /** Entries one chat's transcript may hold; past it, sending is refused. */
  chatMaxTranscriptEntries: number;
  /** Bytes of text and nicknames one chat's transcript may hold; past it, sending is refused. */
  chatMaxTranscriptBytes: number;
  /** Longest name, email, subject, nickname or customer id a customer gives, characters. */
  chatMaxFieldChars: number;
  /** Business data a customer attaches to a service and its chat, in all (keys and values), bytes. */
  chatMaxDataBytes: number;
  /** Longest business data value, characters. */
  chatMaxDataValueChars: number;
  /** A service that has not opened its chat is removed this long after its last request, milliseconds. */
  chatUnusedServiceTtlMs: number;
  /** Chat services one client address (one gms_user) may create a minute; 0: no limit. */
  chatServicesPerMinutePerIp: number;
  chatServicesPerMinutePerUser: number;
  /** Services from one address alive at once (not past their time to live, chat not ended). */
  chatOpenServicesPerIp: number;
  /** Chats one client address (one gms_user) may open a minute; 0: no limit. */
  chatsPerMinutePerIp: number;
  chatsPerMinutePerUser: number;
  /** Chats open at once from one address, and of one gms_user. */
  chatOpenChatsPerIp: number;
  chatOpenChatsPerUser: number;
  /** Messages and typing notices a customer adds to one chat a minute (typing past it is dropped, messages get 429). */
  chatEntriesPerMinute: number;
  /**
   * Trust what a chat client says about who it is (`customer_id`, `email`) enough to link the
   * chat's history to that profile. Off: only a `customer_id` inside a verified gms_user_token links.
   */
  chatTrustClientIdentity: boolean;
  /** Chat API v2: keys a request must carry (apikey, x-api-key, or as a Basic password); empty: none asked. */
  chatV2ApiKeys: string[];
  /** Chat API v2 files: where their bytes are kept (a directory, created at start). */
  chatV2FileDir: string;
  /** Largest file, bytes; files per chat; all of a chat's files, bytes; downloads per file; allowed extensions. */
  chatV2FileMaxBytes: number;
  chatV2FileMaxFiles: number;
  chatV2FileMaxTotalBytes: number;
  chatV2FileMaxBytesPerIp: number;
  chatV2FileDownloads: number;
  chatV2FileTypes: string[];
  /** Uploads only while an agent is in the chat (`upload-need-agent`). */
  chatV2FileNeedAgent: boolean;
  /** Attached data of one interaction (chat or open media, after any change), bytes. */
  interactionMaxDataBytes: number;
  /** Contact history older than this (from its start) is deleted by the housekeeping sweep, seconds; null: kept. */
  historyRetentionSeconds: number | null;
  /** Push HTTP callbacks (httpcb) under way at once. */
  pushConcurrency: number;
  /** Push HTTP callbacks waiting for a turn; past it a push is dropped (and internal-poke answers 503). */
  pushQueueSize: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;
type Parser<T> = (raw: string) => T;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const YEAR_SECONDS = 365 * 86_400;
const EXPIRATION_UNITS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  M: 30 * 86_400,
  y: YEAR_SECONDS,
};

function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function timeZone(raw: string): string {
  if (!isTimeZone(raw)) throw new Error("must be an IANA time zone such as Europe/Paris or UTC");
  return raw;
}

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const v = raw.trim() as T;
    if (!values.includes(v)) throw new Error(`must be one of ${values.join(", ")}`);
    return v;
  };
}

const boolean: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no"].includes(v)) return false;
  throw new Error("must be true or false");
};

/** `true` (one proxy), `false`, or how many proxies in front append to X-Forwarded-For (a CDN and a load balancer: 2). */
const proxyTrust: Parser<number> = (raw) => {
  if (/^\d{1,2}$/.test(raw.trim())) return integer(0, 10)(raw);
  try {
    return boolean(raw) ? 1 : 0;
  } catch {
    throw new Error("must be true, false, or the number of proxies in front (0 to 10)");
  }
};

const redisUrl: Parser<string | null> = (raw) => {
  if (/^rediss?:\/\//.test(raw)) return raw;
  throw new Error("must be redis://host:port");
};

const databaseUrl: Parser<string> = (raw) => {
  if (/^sqlite:.+/.test(raw) || /^postgres(ql)?:\/\//.test(raw)) return raw;
  throw new Error("must be sqlite:<path> or postgres://...");
};

/** Files beside the SQLite database (the data directory), else `./data/files`. */
function defaultFileDir(database: string | undefined): string {
  const path = database?.startsWith("sqlite:") ? database.slice("sqlite:".length) : "./data/parley.db";
  return join(dirname(path), "files");
}

const identifier: Parser<string> = (raw) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(raw)) throw new Error("must be a plain SQL identifier");
  return raw;
};

const secret: Parser<string | null> = (raw) => {
  if (raw.length < 32) throw new Error("must be at least 32 characters (use a random value: openssl rand -base64 48)");
  return raw;
};

const password: Parser<string | null> = (raw) => {
  if (raw.length < 8 || raw.length > 256) throw new Error("must be 8 to 256 characters");
  return raw;
};

const publicUrl: Parser<string | null> = (raw) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("must be an absolute http(s) URL");
  }
  if (!/^https?:$/.test(url.protocol) || url.search !== "" || url.hash !== "") throw new Error("must be an absolute http(s) URL without query");
  return url.href.replace(/\/+$/, "");
};

/** Origins, comma-separated: `scheme://host[:port]` each, as browsers send them; `*` is refused (credentials are allowed). */
const originList: Parser<string[]> = (raw) => {
  const origins = raw
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      let url: URL;
      try {
        url = new URL(o);
      } catch {
        throw new Error(`${o.slice(0, 64)}: not an origin (https://shop.example.com)`);
      }
      if (!/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "") {
        throw new Error(`${o.slice(0, 64)}: an origin is scheme://host[:port], nothing more (https://shop.example.com)`);
      }
      return url.origin;
    });
  return [...new Set(origins)];
};

/** `host:port` (`[::1]:9464` for IPv6); port 0 picks a free one. */
const hostPort: Parser<{ host: string; port: number } | null> = (raw) => {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(raw.trim());
  const port = Number(m?.[3]);
  if (m === null || port > 65_535) throw new Error("must be host:port (127.0.0.1:9464, [::1]:9464)");
  return { host: m[1] ?? m[2] ?? "", port };
};

const pathSegment: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9_.-]+$/.test(raw)) throw new Error("must be one URL path segment");
  return raw;
};

/** `user:password,user2:password2`; passwords of 12 characters or more. */
const userPairs: Parser<string[]> = (raw) => {
  const pairs = raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const pair of pairs) {
    const colon = pair.indexOf(":");
    if (colon < 1 || pair.length - colon - 1 < 12) throw new Error("must be user:password pairs, comma-separated, passwords of 12 characters or more");
  }
  return pairs;
};

/** `key1,key2`; keys of 24 characters or more. */
/** File extensions, colon- or comma-separated (`jpg:png:pdf`), lower-cased. */
const extensions: Parser<string[]> = (raw) => {
  const list = raw
    .split(/[,:]/)
    .map((e) => e.trim().toLowerCase().replace(/^\./, ""))
    .filter(Boolean);
  if (list.length === 0 || list.some((e) => !/^[a-z0-9]{1,16}$/.test(e))) throw new Error("must be file extensions, colon-separated (jpg:png:pdf)");
  return list;
};

const apiKeys: Parser<string[]> = (raw) => {
  const keys = raw
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.some((k) => k.length < 24)) throw new Error("must be keys of 24 characters or more, comma-separated (openssl rand -hex 24)");
  return keys;
};

/** `ROLE_AGENT,ROLE_SUPERVISOR`: GWS role names, at least one. */
const roleList: Parser<Role[]> = (raw) => {
  const roles = raw
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0 || roles.some((r) => !(ROLES as readonly string[]).includes(r)))
    throw new Error(`must be role names, comma-separated: ${ROLES.join(", ")}`);
  return [...new Set(roles)] as Role[];
};

/** Parses GMS `<int><unit>` durations (`5y`, `30d`, `12h`) into seconds. */
const duration: Parser<number> = (raw) => {
  const m = /^(\d+)([smhdwMy])$/.exec(raw.trim());
  const unit = m?.[2] === undefined ? undefined : EXPIRATION_UNITS[m[2]];
  if (!m?.[1] || unit === undefined) throw new Error("must be <integer><unit>, unit one of s m h d w M y");
  return Number(m[1]) * unit;
};

/**
 * The operator CLI's `backup` password (PARLEY_PASSWORD): the CLI's alone, read from the
 * environment rather than an option, which would show it in the process list; null when unset.
 */
export function cliPassword(env: Env = process.env): string | null {
  const password = env.PARLEY_PASSWORD;
  return password === undefined || password === "" ? null : password;
}

/** Reads and validates the configuration from an environment; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  function read<T>(key: string, parse: Parser<T>, fallback: T): T {
    const raw = env[key];
    if (raw === undefined || raw === "") return fallback;
    try {
      return parse(raw);
    } catch (err) {
      problems.push(`${key}=${JSON.stringify(raw)}: ${(err as Error).message}`);
      return fallback;
    }
  }
  const config: Config = {
    port: read("PORT", integer(0, 65_535), 8080),
    host: read("HOST", (v) => v, "0.0.0.0"),
    opsBind: read("OPS_BIND", hostPort, null),
    databaseUrl: read("DATABASE_URL", databaseUrl, "sqlite:./data/parley.db"),
    databaseSchema: read("DATABASE_SCHEMA", identifier, "public"),
    sqliteSynchronous: read("SQLITE_SYNCHRONOUS", oneOf<SqliteSync>(["normal", "full"]), "normal"),
    serviceCacheBytes: read("CS_SERVICE_CACHE_MB", integer(0, 64 * 1024), 32) * 1024 * 1024,
    logLevel: read("LOG_LEVEL", oneOf(LOG_LEVELS), "info"),
    gmsAppName: read("GMS_APP_NAME", pathSegment, "genesys"),
    bodyLimitBytes: read("BODY_LIMIT_BYTES", integer(1024, 64 * 1024 * 1024), 1024 * 1024),
    trustProxy: read("TRUST_PROXY", proxyTrust, 0),
    autoCompleteEnabled: read("CS_AUTO_COMPLETE_ENABLED", boolean, false),
    autoCompleteAfterSeconds: read<number | null>("CS_AUTO_COMPLETE_AFTER", integer(1, 10 * 365 * 86_400), null),
    expirationSeconds: read("CS_EXPIRATION", duration, 5 * YEAR_SECONDS),
    sweepIntervalMs: read("CS_SWEEP_INTERVAL_MS", integer(10, 3_600_000), 1000),
    shutdownTimeoutMs: read("SHUTDOWN_TIMEOUT_MS", integer(0, 600_000), 10_000),
    redisUrl: read("REDIS_URL", redisUrl, null),
    redisPrefix: read("REDIS_PREFIX", pathSegment, "parley"),
    // Long-poll timing, as the CometD reference server has it: hold a connect 30 s (under the ~60 s
    // after which home routers drop idle connections), and forget a client that has not come back
    // within 10 s of its last reply.
    bayeuxConnectTimeoutMs: read("BAYEUX_CONNECT_TIMEOUT_MS", integer(100, 120_000), 30_000),
    bayeuxMaxIntervalMs: read("BAYEUX_MAX_INTERVAL_MS", integer(100, 600_000), 10_000),
    bayeuxMaxQueue: read("BAYEUX_MAX_QUEUE", integer(1, 1_000_000), 1000),
    bayeuxMaxQueueBytes: read("BAYEUX_MAX_QUEUE_BYTES", integer(16 * 1024, 1024 * 1024 * 1024), 4 * 1024 * 1024),
    bayeuxMaxQueueBytesPerIp: read("BAYEUX_MAX_QUEUE_BYTES_PER_IP", integer(65_536, 64 * 1024 * 1024 * 1024), 16 * 1024 * 1024),
    bayeuxMaxCustomerQueueBytes: read("BAYEUX_MAX_CUSTOMER_QUEUE_BYTES", integer(65_536, 1024 * 1024 * 1024 * 1024), 512 * 1024 * 1024),
    bayeuxMaxClientsPerIdentity: read("BAYEUX_MAX_CLIENTS_PER_IDENTITY", integer(1, 10_000), 16),
    bayeuxMaxMessageBytes: read("BAYEUX_MAX_MESSAGE_BYTES", integer(1024, 16 * 1024 * 1024), 256 * 1024),
    bayeuxMaxSessionsPerConnection: read("BAYEUX_MAX_SESSIONS_PER_CONNECTION", integer(1, 10_000), 8),
    // Customers' clients only (agents, who authenticate, are bounded per user): a customer app
    // holds one or two; 200 leave room for many behind one NAT, 10,000 on a node hold some
    // 100-200 MB at most (about 10 KB a client, and its subscriptions).
    bayeuxMaxSessionsPerIp: read("BAYEUX_MAX_SESSIONS_PER_IP", integer(1, 10_000_000), 200),
    bayeuxMaxSessions: read("BAYEUX_MAX_SESSIONS", integer(1, 10_000_000), 10_000),
    // A client subscribes to a few channels of some tens of characters.
    bayeuxMaxSubscriptionBytes: read("BAYEUX_MAX_SUBSCRIPTION_BYTES", integer(512, 1024 * 1024), 4096),
    bayeuxMaxChannelSegments: read("BAYEUX_MAX_CHANNEL_SEGMENTS", integer(2, 256), 32),
    bayeuxCookieCrossSite: read("BAYEUX_COOKIE_CROSS_SITE", boolean, false),
    wsPingIntervalMs: read("WS_PING_INTERVAL_MS", integer(100, 600_000), 25_000),
    wsMaxBufferedBytes: read("WS_MAX_BUFFERED_BYTES", integer(16 * 1024, 1024 * 1024 * 1024), 1024 * 1024),
    wsMaxMessagesPerSecondPerIp: read("WS_MAX_MESSAGES_PER_SECOND_PER_IP", integer(0, 1_000_000), 200),
    gmsUserSecret: read("GMS_USER_SECRET", secret, null),
    jsonMaxDepth: read("JSON_MAX_DEPTH", integer(2, 1000), 64),
    responseLimitBytes: read("RESPONSE_LIMIT_BYTES", integer(64 * 1024, 1024 * 1024 * 1024), 16 * 1024 * 1024),
    publicUrl: read("PUBLIC_URL", publicUrl, null),
    corsOrigins: read("CORS_ORIGINS", originList, []),
    httpFirstRequestTimeoutMs: read("HTTP_FIRST_REQUEST_TIMEOUT_MS", integer(100, 600_000), 10_000),
    httpKeepAliveTimeoutMs: read("HTTP_KEEP_ALIVE_TIMEOUT_MS", integer(100, 600_000), 5_000),
    httpHeadersTimeoutMs: read("HTTP_HEADERS_TIMEOUT_MS", integer(100, 600_000), 10_000),
    httpRequestTimeoutMs: read("HTTP_REQUEST_TIMEOUT_MS", integer(100, 3_600_000), 30_000),
    httpLingerMs: read("HTTP_LINGER_MS", integer(100, 600_000), 5000),
    maxConnectionsPerIp: 0,
    adminPassword: read<string | null>("PARLEY_ADMIN_PASSWORD", password, null),
    demoUsers: read("PARLEY_DEMO_USERS", boolean, true),
    agentSessionTtlMs: read("AGENT_SESSION_TTL_MS", integer(60_000, 30 * 86_400_000), 12 * 3_600_000),
    loginFailuresPerIp: read("LOGIN_FAILURES_PER_IP", integer(0, 1_000_000), 30),
    loginMaxPending: read("LOGIN_MAX_PENDING", integer(1, 100_000), 32),
    routingRoles: read("ROUTING_ROLES", roleList, ["ROLE_AGENT"]),
    routingOfferTimeoutMs: read("ROUTING_OFFER_TIMEOUT_MS", integer(100, 3_600_000), 30_000),
    routingSweepMs: read("ROUTING_SWEEP_MS", integer(10, 60_000), 1000),
    lastAgentWindowSeconds: read("LAST_AGENT_WINDOW_SECONDS", integer(0, 30 * 86_400), 1800),
    lastAgentWaitSeconds: read("LAST_AGENT_WAIT_SECONDS", integer(0, 600), 10),
    agentPresenceTtlMs: read("AGENT_PRESENCE_TTL_MS", integer(300, 3_600_000), 15_000),
    agentOrphanGraceMs: read("AGENT_ORPHAN_GRACE_MS", integer(0, 86_400_000), 60_000),
    csAuth: read("CS_AUTH", oneOf<CsAuthMode>(["none", "basic", "apikey"]), "none"),
    csAuthUsers: read("CS_AUTH_USERS", userPairs, []),
    csApiKeys: read("CS_API_KEYS", apiKeys, []),
    configFile: read<string | null>("PARLEY_CONFIG", (v) => v, null),
    queues: [],
    chatServices: [],
    businessAttributes: [],
    agentStates: [],
    chatCustomerTimeoutMs: read("CHAT_CUSTOMER_TIMEOUT_MS", integer(1000, 86_400_000), 180_000),
    chatMaxMessageChars: read("CHAT_MAX_MESSAGE_CHARS", integer(16, 1_000_000), 8192),
    chatMaxTranscriptEntries: read("CHAT_MAX_TRANSCRIPT_ENTRIES", integer(10, 1_000_000), 10_000),
    // A long chat is some tens of KB: 256 KiB is forty pages of text, and bounds what one anonymous
    // chat adds to the disk (transcript, then history) and sends an agent who joins it.
    chatMaxTranscriptBytes: read("CHAT_MAX_TRANSCRIPT_BYTES", integer(4096, 1024 * 1024 * 1024), 256 * 1024),
    chatMaxFieldChars: read("CHAT_MAX_FIELD_CHARS", integer(16, 65_536), 256),
    chatMaxDataBytes: read("CHAT_MAX_DATA_BYTES", integer(256, 16 * 1024 * 1024), 16 * 1024),
    chatMaxDataValueChars: read("CHAT_MAX_DATA_VALUE_CHARS", integer(16, 16 * 1024 * 1024), 4096),
    chatUnusedServiceTtlMs: read("CHAT_UNUSED_SERVICE_TTL_SECONDS", integer(10, 86_400), 300) * 1000,
    chatServicesPerMinutePerIp: read("CHAT_SERVICES_PER_MINUTE_PER_IP", integer(0, 1_000_000), 60),
    chatServicesPerMinutePerUser: read("CHAT_SERVICES_PER_MINUTE_PER_USER", integer(0, 1_000_000), 10),
    chatOpenServicesPerIp: read("CHAT_OPEN_SERVICES_PER_IP", integer(1, 10_000_000), 100),
    chatsPerMinutePerIp: read("CHATS_PER_MINUTE_PER_IP", integer(0, 1_000_000), 10),
    chatsPerMinutePerUser: read("CHATS_PER_MINUTE_PER_USER", integer(0, 1_000_000), 5),
    chatOpenChatsPerIp: read("CHAT_OPEN_CHATS_PER_IP", integer(1, 10_000_000), 20),
    chatOpenChatsPerUser: read("CHAT_OPEN_CHATS_PER_USER", integer(1, 10_000), 3),
    chatEntriesPerMinute: read("CHAT_ENTRIES_PER_MINUTE", integer(0, 1_000_000), 120),
    chatTrustClientIdentity: read("CHAT_TRUST_CLIENT_IDENTITY", boolean, false),
    chatV2ApiKeys: read("CHAT_V2_API_KEYS", apiKeys, []),
    chatV2FileDir: read("CHAT_V2_FILE_DIR", (raw) => raw.trim(), defaultFileDir(env.DATABASE_URL)),
    chatV2FileMaxBytes: read("CHAT_V2_FILE_MAX_BYTES", integer(1, 1024 * 1024 * 1024), 10 * 1024 * 1024),
    chatV2FileMaxFiles: read("CHAT_V2_FILE_MAX_FILES", integer(0, 1000), 5),
    chatV2FileMaxTotalBytes: read("CHAT_V2_FILE_MAX_TOTAL_BYTES", integer(1, 16 * 1024 * 1024 * 1024), 50 * 1024 * 1024),
    chatV2FileMaxBytesPerIp: read("CHAT_V2_FILE_MAX_BYTES_PER_IP", integer(1, 1024 * 1024 * 1024 * 1024), 200 * 1024 * 1024),
    chatV2FileDownloads: read("CHAT_V2_FILE_DOWNLOADS", integer(1, 1000), 5),
    chatV2FileTypes: read("CHAT_V2_FILE_TYPES", extensions, ["jpg", "jpeg", "png", "gif", "pdf", "txt"]),
    chatV2FileNeedAgent: read("CHAT_V2_FILE_NEED_AGENT", boolean, true),
    interactionMaxDataBytes: read("INTERACTION_MAX_DATA_BYTES", integer(1024, 64 * 1024 * 1024), 64 * 1024),
    historyRetentionSeconds: read<number | null>("CS_HISTORY_RETENTION", duration, null),
    pushConcurrency: read("PUSH_CONCURRENCY", integer(1, 256), 4),
    pushQueueSize: read("PUSH_QUEUE_SIZE", integer(0, 1_000_000), 1000),
    statisticsTimeZone: read("STATISTICS_TIME_ZONE", timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone),
  };
  if (config.csAuth === "basic" && config.csAuthUsers.length === 0) problems.push("CS_AUTH=basic needs CS_AUTH_USERS (user:password,...)");
  if (config.csAuth === "apikey" && config.csApiKeys.length === 0) problems.push("CS_AUTH=apikey needs CS_API_KEYS (key,...)");
  const file = readFileConfig(config.configFile, problems);
  config.queues = file.queues;
  config.chatServices = file.chatServices;
  config.businessAttributes = file.businessAttributes;
  config.agentStates = file.agentStates;
  // A chat's attached data is the customer's business data (named fields included), copies of
  // their names and email (fldn*, at most as much again), and parley's own keys.
  if (2 * config.chatMaxDataBytes + 2048 > config.interactionMaxDataBytes) {
    problems.push("INTERACTION_MAX_DATA_BYTES must leave room for a chat's data: at least 2 x CHAT_MAX_DATA_BYTES + 2048");
  }
  // The ops listener would fail to bind only once the main one is open: say so now.
  if (config.opsBind !== null && config.opsBind.port !== 0 && config.opsBind.port === config.port) {
    problems.push(`OPS_BIND must name another port than PORT (${config.port}): it is a second listener`);
  }
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
    problems.push("HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS");
  }
  // Behind a proxy every connection comes from the proxy: no per-address cap unless asked for.
  config.maxConnectionsPerIp = read("MAX_CONNECTIONS_PER_IP", integer(0, 1_000_000), config.trustProxy > 0 ? 0 : 256);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

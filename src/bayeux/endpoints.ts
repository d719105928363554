/**
 * The two CometD endpoints parley serves, on one engine:
 *
 * - `/genesys/cometd` for customer apps (GMS, seed 004): the identity is the `gms_user` header,
 *   required on every HTTP request (`?gms_user=` for JSONP). A browser cannot set headers on a
 *   WebSocket upgrade, so a WebSocket may name it in a message's `ext: {"gms_user": "..."}`
 *   instead; the first one binds the socket to that user for its life. With GMS_USER_SECRET
 *   set, the name needs its proof beside it: the `gms_user_token` header, query parameter or
 *   ext field (see access/gms-user.ts).
 * - `/api/v2/notifications` for agent desktops (GWS, seed 003): the identity is the agent the
 *   request authenticates as, through the `authenticateAgent` hook the agent API provides.
 *
 * Clients may subscribe to any channel but the meta ones, except that on `/api/v2/notifications`
 * only supervisors and administrators may subscribe to `/v2/supervisor/changes` and `/v2/queues`
 * (or a wildcard covering them): the server publishes to every subscriber there what changed in the contact
 * center (access/users.ts `maySupervise` decides, the user looked up at each subscribe). What
 * reaches clients is what the server delivers to their identity or publishes. Clients never publish to broadcast channels: on a
 * shared channel like `/_genesys` that would reach every user.
 */
import type { IncomingMessage } from "node:http";
import type { GmsIdentity, GmsUserVerifier } from "../access/gms-user.ts";
import { maySupervise } from "../access/users.ts";
import type { ProxyTrust } from "../client-address.ts";
import { AppError } from "../domain/errors.ts";
import type { User } from "../domain/users.ts";
import { fromTrustedOrigin, ownOrigin } from "../origin.ts";
import type { EndpointPolicy, RequestContext } from "./context.ts";
import { CONNECTION_TYPES, matches } from "./protocol.ts";
import { QUEUES_CHANNEL, SUPERVISOR_CHANNEL } from "../wire/agent-api.ts";

/**
 * A request refused before it could prove an identity (too many failed logins from its address,
 * too many logins waiting): the HTTP status, the Bayeux error, and when to try again.
 */
export interface RefusedIdentity {
  refused: { status: number; error: string; retryAfterSeconds: number | undefined };
}

export type ProvenIdentity = string | null | RefusedIdentity;

export function isRefused(identity: ProvenIdentity): identity is RefusedIdentity {
  return typeof identity === "object" && identity !== null;
}

/** How an HTTP or WebSocket request names its endpoint and identity. */
export interface EndpointBinding {
  policy: EndpointPolicy;
  path: string;
  /** callback-polling (JSONP) is served here; where it is not, a JSONP request gets a JSON 400, never script. */
  callbackPolling: boolean;
  /** The identity a request proves by itself (headers, query, authentication), or null; at once when it can. */
  requestIdentity(req: IncomingMessage, query: URLSearchParams): ProvenIdentity | Promise<ProvenIdentity>;
  /**
   * The identity a message claims in its `ext` (WebSocket only), proven as the endpoint
   * requires; null when it claims none or cannot prove it; undefined when it makes no claim.
   */
  extIdentity(ext: unknown): Promise<string | null | undefined>;
  /** What a request's credentials are known by (hashes), to close the sockets they opened at a logout; none when absent. */
  credentialsOf?(req: IncomingMessage): readonly string[];
}

/**
 * Authenticates an agent from the request (Authorization, cookies, its address); null when not.
 * It may throw an AppError `rate_limited` or `unavailable`: the request is then refused as such.
 */
export type AgentAuthenticator = (req: IncomingMessage) => string | null | Promise<string | null>;

/** Every handshake gets the identity its request proved, or is refused with `reason`. */
function provenIdentityPolicy(name: string, reason: string, anonymous: boolean, connectionTypes = CONNECTION_TYPES): EndpointPolicy {
  return {
    name,
    anonymous,
    connectionTypes,
    identify: (ctx: RequestContext) => (ctx.identity === null ? { refuse: reason } : { identity: ctx.identity }),
    canSubscribe: () => true,
    canPublish: () => false,
  };
}

/** Finds an agent-side user by id (the identity of a session on /api/v2/notifications). */
export type UserLookup = (id: string) => Promise<User | null>;

/** What only supervisors and administrators hear: what changed, and the queues' statistics. */
const SUPERVISED_CHANNELS = [SUPERVISOR_CHANNEL, QUEUES_CHANNEL];

/**
 * Agents subscribe to anything, but a subscription that would receive what supervisors are told
 * (`/v2/supervisor/changes`, `/v2/queues`, `/v2/*`, `/**`, ...) needs a user `maySupervise` allows, as they are now.
 */
function agentPolicy(users: UserLookup | undefined): EndpointPolicy {
  const base = provenIdentityPolicy("agent", "authentication required", false, AGENT_CONNECTION_TYPES);
  // One lookup per user at a time: a batch of wildcard subscriptions, or many sent at once, share it.
  const checking = new Map<string, Promise<boolean>>();
  const supervises = (lookup: UserLookup, id: string): Promise<boolean> => {
    const pending = checking.get(id);
    if (pending !== undefined) return pending;
    const check = lookup(id)
      .then(maySupervise)
      .finally(() => checking.delete(id));
    checking.set(id, check);
    return check;
  };
  return {
    ...base,
    canSubscribe: (session, channel) => {
      if (!SUPERVISED_CHANNELS.some((supervised) => matches(channel, supervised))) return true;
      if (users === undefined) return false;
      return supervises(users, session.identity);
    },
  };
}

/**
 * Customers prove their gms_user as a handshake comes, or prove none. Chat API v2 clients
 * (Genesys Widgets, the mobile libraries) never send one (spec chat-v2 §12 Q1): a handshake that
 * claims nothing is served unbound, and an unbound client may use only the v2 service channels,
 * where the chat's secureKey is the credential; the Chat API v1's channels need a gms_user.
 * A page whose gms_user travels only in HTTP headers opens a WebSocket first (the official
 * client's default), which cannot carry them: an unbound WebSocket handshake is told to use
 * long-polling, where the headers prove it (the official client follows that list; a
 * WebSocket-only client keeps its socket). A claim that cannot be proven is refused.
 */
function customerPolicy(): EndpointPolicy {
  const proven = provenIdentityPolicy("customer", "gms_user required", true);
  return {
    ...proven,
    identify(ctx, handshake) {
      if (ctx.identity !== null || claimsIdentity(handshake.ext)) return proven.identify(ctx, handshake);
      return { unbound: ctx.transport === "websocket" ? HTTP_CONNECTION_TYPES : CONNECTION_TYPES };
    },
    canSubscribe: (session, channel) => session.bound || isChatV2Channel(channel),
  };
}

/** A Chat API v2 channel (`/service/chatV2/<service>`), the only ones a client without a gms_user may use. */
function isChatV2Channel(channel: string): boolean {
  return channel.startsWith(CHAT_V2_PREFIX) && channel.length > CHAT_V2_PREFIX.length;
}

const CHAT_V2_PREFIX = "/service/chatV2/";

function claimsIdentity(ext: unknown): boolean {
  return typeof ext === "object" && ext !== null && ("gms_user" in ext || "gms_user_token" in ext);
}

export function customerEndpoint(appName: string, verify: GmsUserVerifier): EndpointBinding {
  return {
    policy: customerPolicy(),
    path: `/${appName}/cometd`,
    callbackPolling: true,
    requestIdentity(req, query) {
      const user = headerOf(req, "gms_user") ?? query.get("gms_user");
      const token = headerOf(req, "gms_user_token") ?? query.get("gms_user_token");
      if (user === null && token === null) return null;
      // A claim is proven or refused: it never falls back to an anonymous client.
      const proven = verify(user, token);
      return proven instanceof Promise ? proven.then(claimed) : claimed(proven);
    },
    async extIdentity(ext) {
      if (typeof ext !== "object" || ext === null) return undefined;
      const { gms_user: user, gms_user_token: token } = ext as Record<string, unknown>;
      if (user === undefined && token === undefined) return undefined;
      return userOf(await verify(typeof user === "string" ? user : null, typeof token === "string" ? token : null));
    },
  };
}

const UNPROVEN_CLAIM: RefusedIdentity = { refused: { status: 403, error: "403::gms_user required", retryAfterSeconds: undefined } };

function claimed(identity: GmsIdentity | null): ProvenIdentity {
  return identity === null ? UNPROVEN_CLAIM : identity.user;
}

/** Where parley's own pages are, to tell them from another site's (see origin.ts). */
export interface OwnPages {
  trustProxy: ProxyTrust;
  publicUrl: string | null;
  /** Other origins trusted as parley's own (the CORS list, once configured). */
  trustedOrigins: readonly string[];
}

/**
 * Agents' desktops authenticate with a cookie, which a browser sends whoever made the page, so
 * their notifications are never served as JSONP (a script any page may include would carry
 * them), and a request from another site's page is refused: over a WebSocket, which no CORS
 * guards, that page would read everything pushed to the agent.
 */
export function agentEndpoint(
  authenticate: AgentAuthenticator | undefined,
  pages: OwnPages = NO_PAGES,
  credentialsOf?: (req: IncomingMessage) => readonly string[],
  users?: UserLookup,
): EndpointBinding {
  return {
    policy: agentPolicy(users),
    path: "/api/v2/notifications",
    callbackPolling: false,
    requestIdentity(req) {
      if (!fromTrustedOrigin(req.headers, ownOrigin(req, pages.trustProxy, pages.publicUrl), pages.trustedOrigins)) {
        return { refused: { status: 403, error: "403::a page of another site may not use an agent's notifications", retryAfterSeconds: undefined } };
      }
      return authenticate === undefined ? null : agentIdentity(authenticate, req);
    },
    extIdentity: async () => undefined,
    credentialsOf,
  };
}

function userOf(identity: GmsIdentity | null): string | null {
  return identity?.user ?? null;
}

const NO_PAGES: OwnPages = { trustProxy: 0, publicUrl: null, trustedOrigins: [] };

const AGENT_CONNECTION_TYPES = CONNECTION_TYPES.filter((t) => t !== "callback-polling");
const HTTP_CONNECTION_TYPES = CONNECTION_TYPES.filter((t) => t !== "websocket");

async function agentIdentity(authenticate: AgentAuthenticator, req: IncomingMessage): Promise<ProvenIdentity> {
  try {
    return await authenticate(req);
  } catch (err) {
    if (!(err instanceof AppError) || (err.code !== "rate_limited" && err.code !== "unavailable")) throw err;
    const status = err.code === "rate_limited" ? 429 : 503;
    return { refused: { status, error: `${status}::${err.message}`, retryAfterSeconds: err.retryAfterSeconds } };
  }
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" && value.length > 0 ? value : null;
}

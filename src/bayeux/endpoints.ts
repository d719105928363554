/**
 * The two CometD endpoints parley serves, on one engine:
 *
 * - `/genesys/cometd` for customer apps (GMS, seed 004): the identity is the `gms_user` header,
 *   required on every HTTP request. A browser cannot set headers on a WebSocket upgrade, so a
 *   WebSocket handshake may carry it as `ext: {"gms_user": "..."}` instead.
 * - `/api/v2/notifications` for agent desktops (GWS, seed 003): the identity is the agent the
 *   request authenticates as, through the `authenticateAgent` hook the agent API provides.
 *
 * Clients may subscribe to any channel but the meta ones; what reaches them is what the server
 * delivers to their identity or publishes. Clients never publish to broadcast channels: on a
 * shared channel like `/_genesys` that would reach every user.
 */
import type { IncomingMessage } from "node:http";
import type { EndpointPolicy, RequestContext } from "./engine.ts";
import type { Message } from "./protocol.ts";

/** How an HTTP or WebSocket request names its endpoint and identity. */
export interface EndpointBinding {
  policy: EndpointPolicy;
  path: string;
  /** The identity a request asserts by itself (header or authentication), or null. */
  requestIdentity(req: IncomingMessage, query: URLSearchParams): string | null;
  /** HTTP requests without an identity are refused with this reason (GMS: every request). */
  requiredOnEveryRequest: string | null;
}

/** Authenticates an agent from request headers (Authorization, cookies); null when not. */
export type AgentAuthenticator = (headers: IncomingMessage["headers"]) => string | null;

const GMS_USER_MAX = 256;

export function customerEndpoint(appName: string): EndpointBinding {
  const policy: EndpointPolicy = {
    name: "customer",
    identify(ctx: RequestContext, handshake: Message) {
      const fromExt = gmsUserOf(handshake.ext);
      const identity = ctx.identity ?? fromExt;
      return identity === null ? { refuse: "gms_user required" } : { identity };
    },
    canSubscribe: () => true,
    canPublish: () => false,
  };
  return {
    policy,
    path: `/${appName}/cometd`,
    requestIdentity(req, query) {
      const header = req.headers.gms_user;
      const value = typeof header === "string" ? header : (query.get("gms_user") ?? undefined);
      return value !== undefined && value.length > 0 && value.length <= GMS_USER_MAX ? value : null;
    },
    requiredOnEveryRequest: "gms_user required",
  };
}

export function agentEndpoint(authenticate: AgentAuthenticator | undefined): EndpointBinding {
  const policy: EndpointPolicy = {
    name: "agent",
    identify: (ctx: RequestContext) => (ctx.identity === null ? { refuse: "authentication required" } : { identity: ctx.identity }),
    canSubscribe: () => true,
    canPublish: () => false,
  };
  return {
    policy,
    path: "/api/v2/notifications",
    requestIdentity: (req) => authenticate?.(req.headers) ?? null,
    requiredOnEveryRequest: null,
  };
}

function gmsUserOf(ext: unknown): string | null {
  if (typeof ext !== "object" || ext === null) return null;
  const value = (ext as Record<string, unknown>).gms_user;
  return typeof value === "string" && value.length > 0 && value.length <= GMS_USER_MAX ? value : null;
}

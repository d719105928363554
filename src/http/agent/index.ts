/**
 * The agent API under `/api/v2` (GWS): its own error body, and authentication before every
 * route (the JSESSIONID session cookie, or HTTP Basic, which opens a session). Wrong or missing
 * credentials get 401 without a hint of which part was wrong. A write the cookie authenticates
 * must come from a trusted origin (403) as JSON (415): a browser sends the cookie whoever made
 * the page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AgentAuthentication } from "../../access/authentication.ts";
import { SESSION_COOKIE } from "../../access/authentication.ts";
import type { ActionContext } from "../../actions/context.ts";
import { AppError, forbidden } from "../../domain/errors.ts";
import { cameOverHttps, clientAddress, type ProxyTrust } from "../../client-address.ts";
import { absoluteUrl } from "../urls.ts";
import { closeAfterAnswer } from "../../lingering-close.ts";
import { fromTrustedOrigin, ownOrigin } from "../../origin.ts";
import { toGwsError } from "./errors.ts";
import { setAgent } from "./shared.ts";
import { registerInteractionRoutes } from "./interactions.ts";
import { registerDiagnosticsRoutes } from "./diagnostics.ts";
import { registerMeRoutes } from "./me.ts";
import type { ErrorReplier } from "../hooks.ts";
import { registerAdminRoutes } from "./admin.ts";
import { registerAgentRoutes } from "./agents.ts";
import { registerChatRoutes } from "./chats.ts";
import { registerSettingsRoutes } from "./settings.ts";
import { registerStatisticsRoutes } from "./statistics.ts";
import { registerUserRoutes } from "./users.ts";

export interface AgentApiDeps {
  ctx: ActionContext;
  authentication: AgentAuthentication;
  trustProxy: ProxyTrust;
  publicUrl: string | null;
  /** Origins besides parley's own whose pages may write with the session cookie (the CORS list). */
  trustedOrigins: readonly string[];
  sessionTtlMs: number;
  /** How long the rest of a refused body is read after the 413 (HTTP_LINGER_MS). */
  limits: { httpLingerMs: number };
  /** parley's version, for `/diagnostics/version`. */
  version: string;
}

export const AGENT_API_BASE = "/api/v2";

/**
 * The GWS error body for anything thrown under /api/v2: the routes' errors, and the router's own
 * (a malformed or too long URL) which reach the listener's `frameworkErrors` before any route.
 */
export function gwsErrorReplier(lingerMs: number): ErrorReplier {
  return async (err, request, reply) => {
    const error = toGwsError(err);
    if (error.status === 413) closeAfterAnswer(request.raw, reply.raw, lingerMs);
    if (error.serverFault) request.log.error({ err }, "request failed");
    else request.log.debug({ message: error.body.errorDescription }, "request refused");
    // A page's own request (X-Requested-With, as Spring-based GWS does) gets no challenge,
    // which would make the browser prompt for a password over the page's login form.
    if (error.status === 401 && request.headers["x-requested-with"] === undefined) {
      reply.header("www-authenticate", 'Basic realm="parley", charset="UTF-8"');
    }
    if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
    return reply.code(error.status).send(error.body);
  };
}

const WRITES = new Set(["POST", "PUT", "DELETE", "PATCH"]);
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;

export async function registerAgentApi(app: FastifyInstance, deps: AgentApiDeps): Promise<void> {
  /** Sessions opened by a request (Basic without a cookie), so a logout in the same request ends them too. */
  const opened = new WeakMap<FastifyRequest, string>();
  const cookie = (request: FastifyRequest, value: string, maxAgeSeconds: number) => {
    const secure = cameOverHttps(request.raw, deps.trustProxy) ? "; Secure" : "";
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
  };
  const endSession = async (request: FastifyRequest, reply: FastifyReply) => {
    await deps.authentication.endSession(request.headers, opened.get(request));
    reply.removeHeader("set-cookie");
    reply.header("set-cookie", cookie(request, "", 0));
  };
  await app.register(
    async (api) => {
      api.setErrorHandler(gwsErrorReplier(deps.limits.httpLingerMs));
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send(toGwsError(new AppError("not_found", `No such resource: ${request.method} ${request.url.slice(0, 256)}`)).body),
      );
      api.addHook("onRequest", async (request, reply) => {
        const authenticated = await deps.authentication.authenticate({ headers: request.headers, address: clientAddress(request.raw, deps.trustProxy) });
        if (authenticated === null) throw new AppError("unauthenticated", "authentication required");
        if (WRITES.has(request.method)) refuseForeignWrite(request, deps, authenticated.via);
        setAgent(request, authenticated.user);
        if (authenticated.newSessionToken !== undefined) {
          opened.set(request, authenticated.newSessionToken);
          reply.header("set-cookie", cookie(request, authenticated.newSessionToken, Math.floor(deps.sessionTtlMs / 1000)));
        }
      });
      const routeDeps = {
        ctx: deps.ctx,
        base: (request: Parameters<typeof absoluteUrl>[0]) => absoluteUrl(request, deps.publicUrl, AGENT_API_BASE),
        endSession,
      };
      registerDiagnosticsRoutes(api, deps.version);
      registerUserRoutes(api, routeDeps);
      registerAdminRoutes(api, routeDeps);
      registerAgentRoutes(api, routeDeps);
      registerSettingsRoutes(api, routeDeps);
      registerChatRoutes(api, routeDeps);
      registerMeRoutes(api, routeDeps);
      registerStatisticsRoutes(api, routeDeps);
      registerInteractionRoutes(api, routeDeps);
    },
    { prefix: AGENT_API_BASE },
  );
}

/**
 * A write from a foreign page is refused (403), however it authenticated: a browser attaches the
 * session cookie, and Basic credentials it was once given, to any site's requests. (Scripts and
 * server-side desktops send no Origin and no Sec-Fetch-Site: nothing to refuse.) A write the
 * cookie authenticated must also be JSON (415), which a page of another site cannot send without
 * the browser asking first; one without a body (logout) needs no type.
 */
function refuseForeignWrite(request: FastifyRequest, deps: AgentApiDeps, via: "session" | "basic"): void {
  const own = ownOrigin(request.raw, deps.trustProxy, deps.publicUrl);
  if (!fromTrustedOrigin(request.headers, own, deps.trustedOrigins)) {
    throw forbidden("a write from another site's page is refused: it must come from this server's own pages");
  }
  if (via === "session" && hasBody(request) && !JSON_TYPE.test(request.headers["content-type"] ?? "")) {
    throw new AppError("unsupported_media_type", "a write authenticated by the session cookie must be sent as application/json");
  }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

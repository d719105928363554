/**
 * The agent API under `/api/v2` (GWS): its own error body, and authentication before every
 * route (the JSESSIONID session cookie, or HTTP Basic, which opens a session). Wrong or missing
 * credentials get 401 without a hint of which part was wrong.
 */
import type { FastifyInstance } from "fastify";
import type { AgentAuthentication } from "../../access/authentication.ts";
import { SESSION_COOKIE } from "../../access/authentication.ts";
import type { ActionContext } from "../../actions/context.ts";
import { AppError } from "../../domain/errors.ts";
import { cameOverHttps } from "../../client-address.ts";
import { absoluteUrl } from "../routes/shared.ts";
import { closeAfterAnswer } from "../../lingering-close.ts";
import { toGwsError } from "./errors.ts";
import { setAgent } from "./shared.ts";
import { registerInteractionRoutes } from "./interactions.ts";
import { registerMeRoutes } from "./me.ts";
import { registerUserRoutes } from "./users.ts";

export interface AgentApiDeps {
  ctx: ActionContext;
  authentication: AgentAuthentication;
  trustProxy: boolean;
  publicUrl: string | null;
  sessionTtlMs: number;
  /** How long the rest of a refused body is read after the 413 (HTTP_LINGER_MS). */
  limits: { httpLingerMs: number };
}

export const AGENT_API_BASE = "/api/v2";

export async function registerAgentApi(app: FastifyInstance, deps: AgentApiDeps): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler(async (err, request, reply) => {
        const error = toGwsError(err);
        if (error.status === 413) closeAfterAnswer(request.raw, reply.raw, deps.limits.httpLingerMs);
        if (error.serverFault) request.log.error({ err }, "request failed");
        else request.log.debug({ message: error.body.errorDescription }, "request refused");
        if (error.status === 401) reply.header("www-authenticate", 'Basic realm="parley", charset="UTF-8"');
        if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
        return reply.code(error.status).send(error.body);
      });
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send(toGwsError(new AppError("not_found", `No such resource: ${request.method} ${request.url.slice(0, 256)}`)).body),
      );
      api.addHook("onRequest", async (request, reply) => {
        const authenticated = await deps.authentication.authenticate(request.headers);
        if (authenticated === null) throw new AppError("unauthenticated", "authentication required");
        setAgent(request, authenticated.user);
        if (authenticated.newSessionToken !== undefined) {
          const secure = cameOverHttps(request.raw, deps.trustProxy) ? "; Secure" : "";
          const maxAge = Math.floor(deps.sessionTtlMs / 1000);
          reply.header("set-cookie", `${SESSION_COOKIE}=${authenticated.newSessionToken}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`);
        }
      });
      const routeDeps = { ctx: deps.ctx, base: (request: Parameters<typeof absoluteUrl>[0]) => absoluteUrl(request, deps.publicUrl, AGENT_API_BASE) };
      registerUserRoutes(api, routeDeps);
      registerMeRoutes(api, routeDeps);
      registerInteractionRoutes(api, routeDeps);
    },
    { prefix: AGENT_API_BASE },
  );
}

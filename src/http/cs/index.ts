/**
 * Context Services under `/<app>/1/cs` (GMS): every resource's routes under one prefix, behind
 * CS_AUTH when it is set. Errors use the GMS body, the listener's own (hooks.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { contextServicesAuthorizer, type CsAuthConfig } from "../../access/context-services.ts";
import type { ActionContext } from "../../actions/context.ts";
import { AppError } from "../../domain/errors.ts";
import { registerCompositeRoutes } from "./composite.ts";
import { registerCustomerRoutes } from "./customers.ts";
import { registerExtensionRoutes } from "./extensions.ts";
import { registerHistoryRoutes } from "./history.ts";
import { registerMaintenanceRoutes } from "./maintenance.ts";
import { registerMetadataRoutes } from "./metadata.ts";
import { registerServiceRoutes } from "./services.ts";
import type { RouteDeps } from "./shared.ts";
import { registerStateRoutes } from "./states.ts";
import { registerTaskRoutes } from "./tasks.ts";

export interface ContextServicesOptions {
  ctx: ActionContext;
  /** `/<app>/1/cs`. */
  base: string;
  /** PUBLIC_URL: where clients reach parley; null: the request's own scheme and host. */
  publicUrl: string | null;
  /** CS_AUTH and the credentials it accepts. */
  auth: CsAuthConfig;
  /** Whether a request carries a logged-in agent's session (the agent desktop reads journeys and history with it). */
  agentSession: AgentSessionCheck;
}

/** Whether the request comes from parley's own page with a cookie that names a live agent API session. */
export type AgentSessionCheck = (request: FastifyRequest) => Promise<boolean>;

/**
 * The reads the agent desktop's customer panel makes, the only Context Services routes an agent's
 * session opens: identify a customer, their profile, their services (journey) and their contact
 * history with its text. Export, metadata and anonymous services stay behind CS_AUTH.
 */
const DESKTOP_READS = new RegExp(
  "^/[^/]+/1/cs/(profiles|profiles/:cid|customers/:cid/services(/active|/completed)?|customers/:cid/interactions|interactions/:iid(/plain_text)?)$",
);

export async function registerContextServices(app: FastifyInstance, options: ContextServicesOptions): Promise<void> {
  const routeDeps: RouteDeps = { ctx: options.ctx, csBase: options.base, publicUrl: options.publicUrl };
  await app.register(
    async (cs) => {
      requireContextServicesCredentials(cs, options.auth, options.agentSession);
      registerServiceRoutes(cs, routeDeps);
      registerStateRoutes(cs, routeDeps);
      registerTaskRoutes(cs, routeDeps);
      registerExtensionRoutes(cs, routeDeps);
      registerCompositeRoutes(cs, routeDeps);
      registerCustomerRoutes(cs, routeDeps);
      registerHistoryRoutes(cs, routeDeps);
      registerMaintenanceRoutes(cs, routeDeps);
      registerMetadataRoutes(cs, routeDeps);
    },
    { prefix: options.base },
  );
}

/**
 * CS_AUTH on every route of `scope`: 401 in the GMS body without the configured credentials.
 * With `agentSession`, the agent desktop's reads (DESKTOP_READS, GET only) pass with a logged-in
 * agent's session cookie from parley's own page: the desktop shows a customer's journey and
 * history, and holds no CS credentials.
 */
export function requireContextServicesCredentials(scope: FastifyInstance, auth: CsAuthConfig, agentSession?: AgentSessionCheck): void {
  // Open by default, as GMS: then no hook at all (an async hook per request is not free).
  if (auth.mode === "none") return;
  const mayUseContextServices = contextServicesAuthorizer(auth);
  scope.addHook("onRequest", async (request, reply) => {
    if (mayUseContextServices(request.headers)) return;
    if (agentSession !== undefined && DESKTOP_READS.test(request.routeOptions.url ?? "") && (await agentSession(request))) return;
    if (auth.mode === "basic") reply.header("www-authenticate", 'Basic realm="parley context services", charset="UTF-8"');
    throw new AppError("unauthenticated", auth.mode === "basic" ? "credentials required (HTTP Basic)" : "an X-API-Key header is required");
  });
}

/**
 * The Chat API v1 under `/<app>/1/service` (seed 004): chat services, their status, the chat
 * interaction and its operations, and the agent desktop's internal-poke. Parameters are read
 * leniently (params.ts); the caller's gms_user comes from the `gms_user` header (proven with
 * `gms_user_token` when GMS_USER_SECRET is set); errors use the GMS body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AgentAuthentication } from "../../access/authentication.ts";
import type { GmsIdentity, GmsUserVerifier } from "../../access/gms-user.ts";
import { chatRequest, createChatService, poke, serviceStatus, startChat, type Caller } from "../../actions/chat.ts";
import { createdService, type Origin } from "../../wire/chat-v1.ts";
import type { ActionContext } from "../../actions/context.ts";
import { cameOverHttps, clientAddress, type ProxyTrust } from "../../client-address.ts";
import { AppError, forbidden, notFound } from "../../domain/errors.ts";
import { fromTrustedOrigin, ownOrigin } from "../../origin.ts";
import { chatParams, registerChatBodyParsers } from "./params.ts";
import * as S from "./schemas.ts";
import { customerRequest, isCustomerOperation, newServiceRequest, pokeRequest, startChatRequest, statusRequest } from "./requests.ts";

export interface ChatApiDeps {
  ctx: ActionContext;
  /** `/<app>/1/service`. */
  base: string;
  verifyGmsUser: GmsUserVerifier;
  /** internal-poke comes from an agent desktop: an agent's session or Basic credentials. */
  authentication: AgentAuthentication;
  trustProxy: ProxyTrust;
  /** parley's public URL, for its own origin (internal-poke is refused to another site's page). */
  publicUrl: string | null;
  /** Other sites' pages trusted like parley's own (CORS_ORIGINS): an agent desktop there may poke. */
  trustedOrigins: readonly string[];
  jsonMaxDepth: number;
}

export async function registerChatApi(app: FastifyInstance, deps: ChatApiDeps): Promise<void> {
  await app.register(
    async (api) => {
      registerChatBodyParsers(api, deps.jsonMaxDepth);
      // GMS (Jetty) says so on every Chat API reply; a chat's state must never come from a cache.
      api.addHook("onSend", (_request, reply, payload, done) => {
        reply.header("pragma", "no-cache").header("cache-control", "no-cache, no-store");
        done(null, payload);
      });
      const caller = async (request: FastifyRequest): Promise<Caller> => {
        const identity = await gmsIdentityOf(request, deps.verifyGmsUser);
        return {
          gmsUser: identity?.user ?? null,
          gmsUserProven: identity?.proven === true,
          customerId: identity?.customerId ?? null,
          address: clientAddress(request.raw, deps.trustProxy),
          origin: originOf(request, deps),
        };
      };
      // The proof of a gms_user is a credential, never business data attached to a chat.
      const params = (request: FastifyRequest) => {
        const { gms_user_token: _, ...rest } = chatParams(request.query, request.body);
        return rest;
      };

      // Past its creation rate, an address is refused before its body is read and parsed.
      const refuseEarly = (kind: "service" | "chat") => async (request: FastifyRequest) =>
        deps.ctx.chat.allowance.refuseEarly(kind, clientAddress(request.raw, deps.trustProxy));

      // Real mobile clients create a service with a GET too, its parameters in the query.
      api.route<{ Params: { id: string } }>({
        method: ["GET", "POST"],
        url: "/:id",
        schema: { params: S.ServiceParams },
        onRequest: refuseEarly("service"),
        handler: async (request) => {
          const who = await caller(request);
          const body = newServiceRequest(params(request));
          return createdService(await createChatService(deps.ctx, request.params.id, who, body), body.verbose, deps.base);
        },
      });
      api.post<{ Params: { id: string } }>("/:id/status", { schema: { params: S.ServiceParams } }, async (request) => {
        const who = await caller(request);
        return serviceStatus(deps.ctx, request.params.id, who, statusRequest(params(request)));
      });
      api.post<{ Params: { id: string } }>("/:id/ixn/chat", { schema: { params: S.ServiceParams }, onRequest: refuseEarly("chat") }, async (request) => {
        const who = await caller(request);
        return startChat(deps.ctx, request.params.id, who, startChatRequest(params(request), who.gmsUser));
      });
      api.post<{ Params: { id: string; op: string } }>(
        "/:id/ixn/chat/:op",
        { schema: { params: S.OperationParams, body: S.OperationBody } },
        async (request) => {
          const op = request.params.op;
          if (!isCustomerOperation(op)) throw notFound(`No chat operation ${op.slice(0, 64)}: refresh, send, startTyping, stopTyping or disconnect`);
          const who = await caller(request);
          return chatRequest(deps.ctx, request.params.id, who, customerRequest(op, params(request)));
        },
      );
      api.post<{ Params: { id: string } }>("/:id/internal-poke", { schema: { params: S.ServiceParams } }, async (request, reply: FastifyReply) => {
        // An agent's browser sends their cookie whoever made the page: a push to a customer
        // carrying another site's text is refused, as any write under /api/v2 is.
        if (!fromTrustedOrigin(request.headers, ownOrigin(request.raw, deps.trustProxy, deps.publicUrl), deps.trustedOrigins)) {
          throw forbidden("internal-poke from another site's page is refused");
        }
        const authenticated = await deps.authentication.authenticate({ headers: request.headers, address: clientAddress(request.raw, deps.trustProxy) });
        if (authenticated === null) throw new AppError("unauthenticated", "internal-poke: an agent's credentials are required");
        await poke(deps.ctx, request.params.id, authenticated.user, pokeRequest(params(request)));
        return reply.type("text/plain; charset=utf-8").send("OK");
      });
    },
    { prefix: deps.base },
  );
}

/** The request's gms_user: the header, proven by `gms_user_token` (header or query) when a secret is set. */
async function gmsIdentityOf(request: FastifyRequest, verify: GmsUserVerifier): Promise<GmsIdentity | null> {
  const claimed = header(request, "gms_user");
  const token = header(request, "gms_user_token") ?? queryToken(request);
  if (claimed === null && token === null) return null;
  const identity = await verify(claimed, token);
  if (identity === null) throw forbidden("gms_user: not proven (send a valid gms_user_token)");
  return identity;
}

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? null : text;
}

function queryToken(request: FastifyRequest): string | null {
  const value = (request.query as Record<string, unknown> | undefined)?.gms_user_token;
  return typeof value === "string" && value !== "" ? value : null;
}

function originOf(request: FastifyRequest, deps: ChatApiDeps): Origin {
  const tls = cameOverHttps(request.raw, deps.trustProxy);
  const host = request.hostname.replace(/^\[|\]$/g, "");
  const port = request.port === null ? String(request.socket.localPort ?? "") : String(request.port);
  return { base: deps.base, host: /^[A-Za-z0-9.:-]{1,253}$/.test(host) ? host : "", port, tls };
}

/** Agent API: the caller (`/me`) and their state per channel. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import { credentialKeys } from "../../access/authentication.ts";
import * as agentState from "../../actions/agent-state.ts";
import { parseChannel } from "../../domain/agent-state.ts";
import { CHANNELS } from "../../domain/users.ts";
import { ok } from "./errors.ts";
import { presentChannel, presentUser } from "../../wire/agent-api.ts";
import * as S from "./schemas.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: me"];

/** GWS's operation on `POST /me` for leaving: NotReady everywhere, and the session ends. */
const END_CONTACT_CENTER_SESSION = "EndContactCenterSession";
/**
 * GWS's operation for arriving: desktops send it (with their channels) before anything else.
 * parley's channels need no login, so it changes nothing: the agent is as they were, and goes
 * Ready when they say so. After EndContactCenterSession it is accepted again.
 */
const START_CONTACT_CENTER_SESSION = "StartContactCenterSession";

export function registerMeRoutes(app: FastifyInstance, { ctx, base, endSession }: AgentRouteDeps): void {
  app.get<{ Querystring: Static<typeof S.MeQuery> }>(
    "/me",
    { schema: { tags, summary: "The caller's user; subresources=* adds the channels", querystring: S.MeQuery } },
    async (request) => {
      const user = agentOf(request);
      const presented: Record<string, unknown> = presentUser(user, base(request));
      if (request.query.subresources !== undefined) {
        presented.channels = (await agentState.listChannels(ctx, user)).map(presentChannel);
        // GWS desktops read their settings here; parley keeps none per user.
        presented.settings = {};
      }
      return ok({ user: presented });
    },
  );

  app.post<{ Body: Static<typeof S.StateChange> }>(
    "/me",
    {
      schema: {
        tags,
        summary:
          "Ready or NotReady on every channel; StartContactCenterSession: accepted (channels need no login); EndContactCenterSession: NotReady everywhere, offers withdrawn, logged out",
        body: S.StateChange,
      },
    },
    async (request, reply) => {
      if (request.body.operationName === START_CONTACT_CENTER_SESSION) return ok();
      if (request.body.operationName === END_CONTACT_CENTER_SESSION) {
        // The session ends first: the CometD clients closed next must not handshake again with its cookie.
        await endSession(request, reply);
        await agentState.endContactCenterSession(ctx, agentOf(request));
        return ok();
      }
      await agentState.changeChannels(ctx, agentOf(request), CHANNELS, request.body.operationName, request.body.reason);
      return ok();
    },
  );

  app.post("/me/logout", { schema: { tags, summary: "Log out: the session ends and its cookie is cleared" } }, async (request, reply) => {
    await endSession(request, reply);
    agentState.closeClientsOf(ctx, agentOf(request), credentialKeys(request.headers));
    return ok();
  });

  app.get("/me/channels", { schema: { tags, summary: "The caller's state per channel" } }, async (request) =>
    ok({ channels: (await agentState.listChannels(ctx, agentOf(request))).map(presentChannel) }),
  );

  app.post<{ Params: Static<typeof S.ChannelParams>; Body: Static<typeof S.StateChange> }>(
    "/me/channels/:channel",
    { schema: { tags, summary: "Ready or NotReady (with a reason) on one channel", params: S.ChannelParams, body: S.StateChange } },
    async (request) => {
      const channel = parseChannel(request.params.channel);
      await agentState.changeChannels(ctx, agentOf(request), [channel], request.body.operationName, request.body.reason);
      return ok();
    },
  );
}

/** Agent API: the GA chat API (`/me/chats`) beside the interactions API, over the same chats. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as chats from "../../actions/agent-chats.ts";
import type { JsonObject } from "../../domain/json.ts";
import { presentChat } from "../../wire/agent-chats.ts";
import { ok } from "./errors.ts";
import * as S from "./schemas.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: chats (GA)"];

export function registerChatRoutes(app: FastifyInstance, { ctx, base }: AgentRouteDeps): void {
  app.get("/me/chats", { schema: { tags, summary: "The caller's chats (GA form): offered, invited or being worked on" } }, async (request) => {
    const user = agentOf(request);
    const mine = await chats.myChats(ctx, user);
    return ok({ chats: mine.map((ix) => presentChat(ix, user.id, base(request))) });
  });

  app.get<{ Params: Static<typeof S.IdParams> }>("/me/chats/:id", { schema: { tags, summary: "One chat (GA form)", params: S.IdParams } }, async (request) => {
    const user = agentOf(request);
    return ok({ chat: presentChat(await chats.getChat(ctx, user, request.params.id), user.id, base(request)) });
  });

  app.post<{ Params: Static<typeof S.IdParams>; Body: Static<typeof S.Operation> }>(
    "/me/chats/:id",
    {
      schema: {
        tags,
        summary:
          "A GA chat operation: Accept, Reject, SendMessage, SendStartTypingNotification, SendStopTypingNotification, SendUrl, Transfer, Invite, AttachUserData, UpdateUserData, DeleteUserData, Leave, Complete",
        params: S.IdParams,
        body: S.Operation,
      },
    },
    async (request) => ok((await chats.operateGaChat(ctx, agentOf(request), request.params.id, request.body as JsonObject)) ?? {}),
  );
}

/** Agent API: users (administrators). */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as users from "../../actions/users.ts";
import { ok } from "./errors.ts";
import { presentUser } from "../../wire/agent-api.ts";
import * as S from "./schemas.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: users"];

export function registerUserRoutes(app: FastifyInstance, { ctx, base }: AgentRouteDeps): void {
  app.post<{ Body: Static<typeof S.NewUser> }>("/users", { schema: { tags, summary: "Create a user", body: S.NewUser } }, async (request) => {
    const id = await users.createUser(ctx, agentOf(request), request.body);
    return ok({ id });
  });

  app.get("/users", { schema: { tags, summary: "List users" } }, async (request) => {
    const all = await users.listUsers(ctx, agentOf(request));
    return ok({ users: all.map((u) => presentUser(u, base(request))) });
  });

  app.get<{ Params: Static<typeof S.IdParams> }>("/users/:id", { schema: { tags, summary: "Get a user", params: S.IdParams } }, async (request) => {
    const user = await users.getUser(ctx, agentOf(request), request.params.id);
    return ok({ user: presentUser(user, base(request)) });
  });

  app.put<{ Params: Static<typeof S.IdParams>; Body: Static<typeof S.UserPatch> }>(
    "/users/:id",
    { schema: { tags, summary: "Update a user", params: S.IdParams, body: S.UserPatch } },
    async (request) => {
      await users.updateUser(ctx, agentOf(request), request.params.id, request.body ?? {});
      return ok();
    },
  );

  app.delete<{ Params: Static<typeof S.IdParams> }>("/users/:id", { schema: { tags, summary: "Delete a user", params: S.IdParams } }, async (request) => {
    await users.deleteUser(ctx, agentOf(request), request.params.id);
    return ok();
  });
}

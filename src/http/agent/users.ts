/** Agent API: users (administrators). */
import type { FastifyInstance } from "fastify";
import Type, { type Static } from "typebox";
import * as users from "../../actions/users.ts";
import { CHANNELS, PASSWORD_MAX } from "../../domain/users.ts";
import { ok } from "./errors.ts";
import { presentUser } from "../../wire/agent-api.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: users"];
const Skill = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), level: Type.Integer({ minimum: 0, maximum: 10 }) });
const fields = {
  userName: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  firstName: Type.String({ maxLength: 128 }),
  lastName: Type.String({ maxLength: 128 }),
  roles: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 3 }),
  skills: Type.Array(Skill, { maxItems: 100 }),
  capacity: Type.Record(Type.String({ maxLength: 16 }), Type.Integer({ minimum: 0, maximum: 100 }), { maxProperties: CHANNELS.length }),
  enabled: Type.Boolean(),
};
const Opt = Type.Optional;
const NewUser = Type.Object({
  userName: fields.userName,
  password: fields.password,
  firstName: Opt(fields.firstName),
  lastName: Opt(fields.lastName),
  roles: Opt(fields.roles),
  skills: Opt(fields.skills),
  capacity: Opt(fields.capacity),
  enabled: Opt(fields.enabled),
});
const UserPatch = Type.Partial(NewUser);
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function registerUserRoutes(app: FastifyInstance, { ctx, base }: AgentRouteDeps): void {
  app.post<{ Body: Static<typeof NewUser> }>("/users", { schema: { tags, summary: "Create a user", body: NewUser } }, async (request) => {
    const id = await users.createUser(ctx, agentOf(request), request.body);
    return ok({ id });
  });

  app.get("/users", { schema: { tags, summary: "List users" } }, async (request) => {
    const all = await users.listUsers(ctx, agentOf(request));
    return ok({ users: all.map((u) => presentUser(u, base(request))) });
  });

  app.get<{ Params: Static<typeof Params> }>("/users/:id", { schema: { tags, summary: "Get a user", params: Params } }, async (request) => {
    const user = await users.getUser(ctx, agentOf(request), request.params.id);
    return ok({ user: presentUser(user, base(request)) });
  });

  app.put<{ Params: Static<typeof Params>; Body: Static<typeof UserPatch> }>(
    "/users/:id",
    { schema: { tags, summary: "Update a user", params: Params, body: UserPatch } },
    async (request) => {
      await users.updateUser(ctx, agentOf(request), request.params.id, request.body ?? {});
      return ok();
    },
  );

  app.delete<{ Params: Static<typeof Params> }>("/users/:id", { schema: { tags, summary: "Delete a user", params: Params } }, async (request) => {
    await users.deleteUser(ctx, agentOf(request), request.params.id);
    return ok();
  });
}

/** Context Services: tasks (start, complete, queries). */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as tasks from "../../actions/tasks.ts";
import { parseExtensionSelector, typeFilterCandidates, type Status } from "../../domain/journeys.ts";
import { presentTask } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import { bodyObject, type RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

type Params = Static<typeof S.ServiceParams>;
type Query = Static<typeof S.TaskQuery>;
const tags = ["Context Services: tasks"];

export function registerTaskRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.post<{ Params: Params }>(
    "/services/:sid/tasks/start",
    { schema: { tags, summary: "Start Task", params: S.ServiceParams, body: S.TaskStartEvent } },
    async (request, reply) => {
      const id = await tasks.startTask(ctx, request.params.sid, bodyObject(request));
      reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/services/${request.params.sid}/tasks/${id}`));
      return reply.code(201).send({ task_id: id });
    },
  );

  app.post<{ Params: Static<typeof S.TaskParams> }>(
    "/services/:sid/tasks/:tid/end",
    { schema: { tags, summary: "Complete Task", params: S.TaskParams, body: S.EndEvent } },
    async (request, reply) => {
      await tasks.completeTask(ctx, request.params.sid, request.params.tid, bodyObject(request));
      return reply.code(204).send();
    },
  );

  for (const [suffix, status] of [
    ["", "all"],
    ["/active", "active"],
    ["/completed", "completed"],
  ] as const) {
    app.get<{ Params: Params; Querystring: Query }>(
      `/services/:sid/tasks${suffix}`,
      { schema: { tags, summary: "Query Tasks", params: S.ServiceParams, querystring: S.TaskQuery } },
      async (request) => {
        const q = request.query;
        const types = S.listParam(q.task_types);
        const query = {
          status: status as Status,
          stateId: q.state_id,
          types: types === undefined ? undefined : typeFilterCandidates(types),
        };
        const list = await tasks.listTasks(ctx, request.params.sid, query);
        const selector = parseExtensionSelector(q.extensions, "task");
        return list.map((task) => presentTask(task, selector, true));
      },
    );
  }

  app.get<{ Params: Static<typeof S.TaskParams>; Querystring: Query }>(
    "/services/:sid/tasks/:tid",
    { schema: { tags, summary: "Query Task by ID", params: S.TaskParams, querystring: S.TaskQuery } },
    async (request) => {
      const task = await tasks.getTask(ctx, request.params.sid, request.params.tid);
      return presentTask(task, parseExtensionSelector(request.query.extensions, "task"), true);
    },
  );
}

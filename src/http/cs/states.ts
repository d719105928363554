/** Context Services: states (start, complete, transition, queries). */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as states from "../../actions/states.ts";
import { parseExtensionSelector, typeFilterCandidates, type Status } from "../../domain/journeys.ts";
import { presentState } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import { bodyObject, type RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

type Params = Static<typeof S.ServiceParams>;
type Query = Static<typeof S.StateQuery>;
const tags = ["Context Services: states"];

export function registerStateRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.post<{ Params: Params }>(
    "/services/:sid/states/start",
    { schema: { tags, summary: "Start State", params: S.ServiceParams, body: S.StateStartEvent } },
    async (request, reply) => {
      const id = await states.startState(ctx, request.params.sid, bodyObject(request));
      reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/services/${request.params.sid}/states/${id}`));
      return reply.code(201).send({ state_id: id });
    },
  );

  app.post<{ Params: Params }>(
    "/services/:sid/states/transition",
    { schema: { tags, summary: "Perform State Transition", params: S.ServiceParams, body: S.TransitionEvent } },
    async (request, reply) => {
      const id = await states.transitionState(ctx, request.params.sid, bodyObject(request));
      reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/services/${request.params.sid}/states/${id}`));
      return reply.code(201).send({ state_id: id });
    },
  );

  app.post<{ Params: Static<typeof S.StateParams> }>(
    "/services/:sid/states/:stid/end",
    { schema: { tags, summary: "Complete State", params: S.StateParams, body: S.EndEvent } },
    async (request, reply) => {
      await states.completeState(ctx, request.params.sid, request.params.stid, bodyObject(request));
      return reply.code(204).send();
    },
  );

  for (const [suffix, status] of [
    ["", "all"],
    ["/active", "active"],
    ["/completed", "completed"],
  ] as const) {
    app.get<{ Params: Params; Querystring: Query }>(
      `/services/:sid/states${suffix}`,
      { schema: { tags, summary: "Query States", params: S.ServiceParams, querystring: S.StateQuery } },
      async (request) => {
        const q = request.query;
        const types = S.listParam(q.state_types);
        const query = { status: status as Status, types: types === undefined ? undefined : typeFilterCandidates(types) };
        const views = await states.listStates(ctx, request.params.sid, query, taskFlags(q));
        const selector = parseExtensionSelector(q.extensions, "state");
        return views.map((view) => presentState(view, selector, true));
      },
    );
  }

  app.get<{ Params: Static<typeof S.StateParams>; Querystring: Query }>(
    "/services/:sid/states/:stid",
    { schema: { tags, summary: "Query State by ID", params: S.StateParams, querystring: S.StateQuery } },
    async (request) => {
      const view = await states.getState(ctx, request.params.sid, request.params.stid, taskFlags(request.query));
      return presentState(view, parseExtensionSelector(request.query.extensions, "state"), true);
    },
  );
}

function taskFlags(q: Query) {
  return { activeTasks: q.active_tasks, completedTasks: q.completed_tasks };
}

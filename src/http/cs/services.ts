/** Context Services: services (start, associate, complete, expiry, delete, queries). */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "typebox";
import * as services from "../../actions/services.ts";
import { parseExtensionSelector, typeFilterCandidates, type Status } from "../../domain/journeys.ts";
import type { ServiceQuery as StoreServiceQuery } from "../../store/store.ts";
import { presentService, serviceIdJson } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import { bodyObject, timeParam, type RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

type ListQuery = Static<typeof S.ServiceListQuery>;
const tags = ["Context Services: services"];

export function registerServiceRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.post("/services/start", { schema: { tags, summary: "Start Service", body: S.ServiceStartEvent } }, async (request, reply) => {
    const id = await services.startService(ctx, bodyObject(request));
    reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/services/${id}`));
    return reply.code(201).send({ service_id: serviceIdJson(id) });
  });

  app.post<{ Params: Static<typeof S.CustomerServiceParams> }>(
    "/customers/:cid/services/:sid",
    { schema: { tags, summary: "Associate Service", params: S.CustomerServiceParams, body: S.ServiceStartEvent } },
    async (request, reply) => {
      await services.associateService(ctx, request.params.cid, request.params.sid, bodyObject(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof S.ServiceParams> }>(
    "/services/:sid/end",
    { schema: { tags, summary: "Complete Service", params: S.ServiceParams, body: S.ServiceEndEvent } },
    async (request, reply) => {
      await services.completeService(ctx, request.params.sid, bodyObject(request));
      return reply.code(204).send();
    },
  );

  app.put<{ Params: Static<typeof S.ServiceParams> }>(
    "/services/:sid",
    { schema: { tags, summary: "Update Expiration Time", params: S.ServiceParams, body: S.ExpirationUpdate } },
    async (request, reply) => {
      await services.updateExpiration(ctx, request.params.sid, bodyObject(request));
      return reply.code(200).send();
    },
  );

  app.delete<{ Params: Static<typeof S.ServiceParams> }>(
    "/services/:sid",
    { schema: { tags, summary: "Delete Service by ID", params: S.ServiceParams } },
    async (request, reply) => {
      await services.deleteService(ctx, request.params.sid);
      return reply.code(200).send();
    },
  );

  app.get<{ Params: Static<typeof S.ServiceParams>; Querystring: Static<typeof S.ServiceQuery> }>(
    "/services/:sid",
    { schema: { tags, summary: "Query Service by ID", params: S.ServiceParams, querystring: S.ServiceQuery } },
    async (request) => {
      const q = request.query;
      const selector = parseExtensionSelector(q.extensions, "service");
      const view = await services.getService(ctx, request.params.sid, nesting(q), selector);
      return presentService(view, selector);
    },
  );

  for (const [suffix, status] of [
    ["", "all"],
    ["/active", "active"],
    ["/completed", "completed"],
  ] as const) {
    app.get<{ Params: Static<typeof S.CustomerParams>; Querystring: ListQuery }>(
      `/customers/:cid/services${suffix}`,
      { schema: { tags, summary: "Query Services of a customer", params: S.CustomerParams, querystring: S.ServiceListQuery } },
      async (request) => list(request, { customerId: request.params.cid }, status),
    );
    app.get<{ Params: Static<typeof S.ContactKeyParams>; Querystring: ListQuery }>(
      `/services/anonymous/:ck${suffix}`,
      { schema: { tags, summary: "Query anonymous Services", params: S.ContactKeyParams, querystring: S.ServiceListQuery } },
      async (request) => list(request, { anonymousContactKey: request.params.ck }, status),
    );
  }

  async function list(request: FastifyRequest<{ Querystring: ListQuery }>, owner: Partial<StoreServiceQuery>, status: Status) {
    const q = request.query;
    const types = S.listParam(q.service_types);
    const query: StoreServiceQuery = {
      ...owner,
      status,
      types: types === undefined ? undefined : typeFilterCandidates(types),
      startedFrom: timeParam(q.started_from),
      startedTo: timeParam(q.started_to),
      completedFrom: timeParam(q.completed_from),
      completedTo: timeParam(q.completed_to),
      latest: q.max_services,
    };
    const selector = parseExtensionSelector(q.extensions, "service");
    const views = await services.listServices(ctx, query, nesting(q), selector);
    return views.map((view) => presentService(view, selector));
  }
}

function nesting(q: Static<typeof S.ServiceQuery>): services.NestingFlags {
  return {
    activeStates: q.active_states,
    completedStates: q.completed_states,
    activeTasks: q.active_tasks,
    completedTasks: q.completed_tasks,
  };
}

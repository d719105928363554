/** Context Services: Composite Start and Bulk Update. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import { compositeStart, type CompositeElement } from "../../actions/composite.ts";
import { serviceIdJson } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import type { RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

export function registerCompositeRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.post<{ Body: Static<typeof S.CompositeStart>; Querystring: Static<typeof S.CompositeQuery> }>(
    "/services_composite/start",
    {
      schema: {
        tags: ["Context Services: services"],
        summary: "Composite Start and Bulk Update",
        body: S.CompositeStart,
        querystring: S.CompositeQuery,
      },
    },
    async (request, reply) => {
      const createNewServices = request.query.create_new_services === true || request.body.create_new_services === true;
      const results = await compositeStart(ctx, request.body.services as CompositeElement[], { createNewServices });
      const first = results[0];
      if (first !== undefined) {
        const child = first.task_id === undefined ? `states/${first.state_id}` : `tasks/${first.task_id}`;
        reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/services/${first.service_id}/${child}`));
      }
      return reply.code(200).send(results.map((r) => ({ ...r, service_id: serviceIdJson(r.service_id) })));
    },
  );
}

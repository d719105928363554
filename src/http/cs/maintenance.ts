/** Context Services maintenance: Purge Services and Export Services to a JSON stream. */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import { EXPORT_SELECTOR, exportServices, purgeServices } from "../../actions/maintenance.ts";
import { invalidInput } from "../../domain/errors.ts";
import { parseTimestamp } from "../../domain/journeys.ts";
import { presentService } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import type { RouteDeps } from "./shared.ts";

const tags = ["Context Services: maintenance"];

export function registerMaintenanceRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  app.post<{ Body: Static<typeof S.PurgeBody> }>("/maintenance/purge", { schema: { tags, summary: "Purge Services", body: S.PurgeBody } }, async (request) => {
    const purged = await purgeServices(ctx, dateTime(request.body.limit, "limit"), request.body.operation);
    return { purged };
  });

  app.get<{ Querystring: Static<typeof S.StreamQuery> }>(
    "/maintenance/services/stream",
    { schema: { tags, summary: "Export Services to a JSON stream (ids, or the services with export_content=true)", querystring: S.StreamQuery } },
    async (request, reply) => {
      const q = request.query;
      const withContent = q.export_content === true;
      if (q.filter_state !== undefined && !withContent) throw invalidInput("filter_state: only with export_content=true");
      const filter = {
        from: dateTime(q.time_from, "time_from"),
        to: q.time_to === undefined ? ctx.now() : dateTime(q.time_to, "time_to"),
        events: q.filter_events ?? "any",
        state: q.filter_state ?? "any",
      };
      const pages = exportServices(ctx, filter, withContent);
      // Read before answering, so a bad request or a database error still gets its error body.
      const first = await pages.next();
      async function* json(): AsyncGenerator<string> {
        let separator = "";
        yield "[";
        for (let page = first; page.done !== true; page = await pages.next()) {
          for (const view of page.value) {
            yield separator + JSON.stringify(withContent ? presentService(view, EXPORT_SELECTOR) : view.service.id);
            separator = ",";
          }
        }
        yield "]";
      }
      return reply.type("application/json; charset=utf-8").send(Readable.from(json()));
    },
  );
}

/** A date-time the schema has checked, as epoch milliseconds. */
function dateTime(raw: string, field: string): number {
  const ms = parseTimestamp(raw);
  if (ms === undefined) throw invalidInput(`${field}: an ISO 8601 date-time`);
  return ms;
}

/** Agent API: today's statistics of the caller (`/me/statistics`) and, for supervisors and admins, of any user. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as statistics from "../../actions/agent-statistics.ts";
import { presentStatistics } from "../../wire/agent-api.ts";
import { ok } from "./errors.ts";
import * as S from "./schemas.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: statistics"];

export function registerStatisticsRoutes(app: FastifyInstance, { ctx }: AgentRouteDeps): void {
  app.get<{ Querystring: Static<typeof S.StatisticsQuery> }>(
    "/me/statistics",
    {
      schema: {
        tags,
        summary: "The caller's day: time per channel state and reason, interactions handled, average handle time",
        querystring: S.StatisticsQuery,
      },
    },
    async (request) => {
      const user = agentOf(request);
      const stats = await statistics.myStatistics(ctx, user, request.query.date);
      return ok({ statistics: presentStatistics(user.id, stats, ctx.statisticsTimeZone) });
    },
  );

  app.get<{ Params: Static<typeof S.IdParams>; Querystring: Static<typeof S.StatisticsQuery> }>(
    "/users/:id/statistics",
    { schema: { tags, summary: "A user's day, as /me/statistics (supervisors and admins)", params: S.IdParams, querystring: S.StatisticsQuery } },
    async (request) => {
      const stats = await statistics.userStatistics(ctx, agentOf(request), request.params.id, request.query.date);
      return ok({ statistics: presentStatistics(request.params.id, stats, ctx.statisticsTimeZone) });
    },
  );
}

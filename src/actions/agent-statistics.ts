/**
 * Agents' statistics for today (`GET /api/v2/me/statistics`, `GET /api/v2/users/{id}/statistics`):
 * the state log and the interactions they completed, totalled by domain/agent-statistics.ts over
 * the day as STATISTICS_TIME_ZONE counts it. And the log kept bounded (the housekeeping sweep).
 */
import { seesAgentsWork } from "../access/users.ts";
import { agentStatistics, checkStatisticsDate, STATE_LOG_RETENTION_MS, type AgentStatistics } from "../domain/agent-statistics.ts";
import { startOfDay } from "../domain/calendar.ts";
import { notFound } from "../domain/errors.ts";
import type { User } from "../domain/users.ts";
import type { ActionContext } from "./context.ts";

/** Log rows one sweep deletes at most; the next sweep takes the rest. */
const PURGE_BATCH = 1000;

/** The caller's own statistics; `date` is `today` or absent. */
export async function myStatistics(ctx: ActionContext, user: User, date: string | undefined): Promise<AgentStatistics> {
  checkStatisticsDate(date);
  return statisticsOf(ctx, user.id);
}

/**
 * A user's statistics, for supervisors and admins (and the user themselves). Anyone else is told
 * there is no such user, as for an unknown id: whose statistics exist is not theirs to learn.
 */
export async function userStatistics(ctx: ActionContext, actor: User, id: string, date: string | undefined): Promise<AgentStatistics> {
  checkStatisticsDate(date);
  const unknown = notFound(`There is no user ${id}`);
  if (id !== actor.id && !seesAgentsWork(actor)) throw unknown;
  if ((await ctx.store.users.get(id)) === null) throw unknown;
  return statisticsOf(ctx, id);
}

async function statisticsOf(ctx: ActionContext, userId: string): Promise<AgentStatistics> {
  const until = ctx.now();
  const since = startOfDay(until, ctx.statisticsTimeZone);
  const rows = await ctx.store.agentStateLog.overlapping(userId, since, until);
  const handled = await ctx.store.agentInteractions.handledBy(userId, since, until);
  return agentStatistics(rows, handled, since, until);
}

/** Deletes state log rows that ended more than STATE_LOG_RETENTION_MS ago, a batch per sweep; returns how many. */
export async function purgeOldStateLog(ctx: ActionContext): Promise<number> {
  const before = ctx.now() - STATE_LOG_RETENTION_MS;
  return ctx.store.transaction((tx) => tx.agentStateLog.deleteEndedBefore(before, PURGE_BATCH));
}

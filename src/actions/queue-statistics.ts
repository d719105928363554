/**
 * Live service levels per queue (issue 21), read from the database so every node agrees: both
 * windows (the last 15 minutes, today) for every queue in two aggregate queries, whatever the
 * number of queues. The definitions are domain/queue-statistics.ts's.
 */
import { DEFAULT_SERVICE_LEVEL_SECONDS, DEFAULT_SHORT_ABANDON_SECONDS } from "../domain/queue-policy.ts";
import {
  NO_ACTIVITY,
  summarize,
  thresholdsOf,
  windowStarts,
  type ServiceLevelThresholds,
  type StatisticsWindow,
  type WindowStatistics,
} from "../domain/queue-statistics.ts";
import type { Queue } from "../domain/routing.ts";
import type { QueueThresholds } from "../store/store.ts";
import type { ActionContext } from "./context.ts";

export type QueueStatistics = Record<StatisticsWindow, WindowStatistics>;

/** The statistics of `queues`, read now; then each one's by name (zeros for a queue with no activity). */
export async function statisticsOf(ctx: ActionContext, queues: readonly Queue[]): Promise<(queue: string) => QueueStatistics> {
  const thresholds = thresholdsFor(ctx, queues);
  const starts = windowStarts(ctx.now(), ctx.statisticsTimeZone);
  const [recent, today] = await Promise.all([
    ctx.store.agentInteractions.queueActivity(starts.last15Minutes, thresholds),
    ctx.store.agentInteractions.queueActivity(starts.today, thresholds),
  ]);
  return (queue) => ({ last15Minutes: summarize(recent.get(queue) ?? NO_ACTIVITY), today: summarize(today.get(queue) ?? NO_ACTIVITY) });
}

/** Only the queues whose thresholds are not the defaults are named (a shorter query). */
function thresholdsFor(ctx: ActionContext, queues: readonly Queue[]): QueueThresholds {
  const otherwise = { serviceLevelMs: DEFAULT_SERVICE_LEVEL_SECONDS * 1000, shortAbandonMs: DEFAULT_SHORT_ABANDON_SECONDS * 1000 };
  const byQueue = new Map<string, ServiceLevelThresholds>();
  for (const queue of queues) {
    const own = thresholdsOf(ctx.routing.policy(queue.name));
    if (own.serviceLevelMs !== otherwise.serviceLevelMs || own.shortAbandonMs !== otherwise.shortAbandonMs) byQueue.set(queue.name, own);
  }
  return { byQueue, otherwise };
}

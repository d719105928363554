/**
 * Service levels as a contact center reads them (issue 21), per queue and window. Each routed
 * interaction is one contact, counted in the queue it entered first (`entryQueue`: a later
 * PlaceInQueue is no new offer) by the time of each event:
 *
 * - offered: it entered the queue (created) in the window;
 * - answered: an agent first accepted it in the window; its wait is answeredAt - createdAt;
 * - abandoned: its customer left in the window before any agent had answered (queued or offered);
 *   one who left within the queue's `shortAbandonSeconds` is a short abandon;
 * - handled: completed in the window after an answer; its handle time is completedAt - answeredAt.
 *
 * Service level = answered within `serviceLevelSeconds` / (answered + abandoned - short abandons):
 * abandons after the short threshold count against it, short ones are left out. Pure: the store
 * sums the counts in SQL (sql/agent-interactions.ts, the same definitions), this makes them figures.
 */
import type { AgentInteraction } from "./agent-interactions.ts";
import { startOfDay } from "./calendar.ts";
import type { QueuePolicy } from "./queue-policy.ts";

/** One window's sums for one queue, as the store aggregates them. */
export interface QueueActivity {
  offered: number;
  answered: number;
  /** Answered with a wait of at most the service-level threshold. */
  answeredWithin: number;
  abandoned: number;
  /** Abandoned with a wait under the short-abandon threshold. */
  abandonedShort: number;
  /** Sum of the answered ones' waits, ms. */
  waitMs: number;
  handled: number;
  /** Sum of the handled ones' handle times, ms. */
  handleMs: number;
}

export const NO_ACTIVITY: QueueActivity = {
  offered: 0,
  answered: 0,
  answeredWithin: 0,
  abandoned: 0,
  abandonedShort: 0,
  waitMs: 0,
  handled: 0,
  handleMs: 0,
};

/** The thresholds one queue's activity is counted against, in ms. */
export interface ServiceLevelThresholds {
  serviceLevelMs: number;
  shortAbandonMs: number;
}

export function thresholdsOf(policy: QueuePolicy): ServiceLevelThresholds {
  return { serviceLevelMs: policy.serviceLevelSeconds * 1000, shortAbandonMs: policy.shortAbandonSeconds * 1000 };
}

/** A window's statistics as supervisors, CometD and /metrics show them. */
export interface WindowStatistics {
  offered: number;
  answered: number;
  answeredWithinServiceLevel: number;
  abandoned: number;
  /** Abandons left out of the service level (under `shortAbandonSeconds`). */
  shortAbandoned: number;
  /** A fraction, 0 to 1 (0.8 is 80 %); null when nothing was answered or abandoned past the short threshold. */
  serviceLevel: number | null;
  /** Mean wait of the answered ones; null when none was. */
  averageSpeedOfAnswerSeconds: number | null;
  handled: number;
  /** Mean handle time of the handled ones; null when none was. */
  averageHandleTimeSeconds: number | null;
}

export function summarize(activity: QueueActivity): WindowStatistics {
  const counted = activity.answered + activity.abandoned - activity.abandonedShort;
  return {
    offered: activity.offered,
    answered: activity.answered,
    answeredWithinServiceLevel: activity.answeredWithin,
    abandoned: activity.abandoned,
    shortAbandoned: activity.abandonedShort,
    serviceLevel: counted > 0 ? round(activity.answeredWithin / counted, 4) : null,
    averageSpeedOfAnswerSeconds: activity.answered > 0 ? round(activity.waitMs / activity.answered / 1000, 1) : null,
    handled: activity.handled,
    averageHandleTimeSeconds: activity.handled > 0 ? round(activity.handleMs / activity.handled / 1000, 1) : null,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The windows statistics are kept for, each by when it starts; both end now. */
export type StatisticsWindow = "last15Minutes" | "today";

const RECENT_WINDOW_MS = 15 * 60 * 1000;

/** Where each window starts at `now`: 15 minutes back, and midnight in `timeZone` (STATISTICS_TIME_ZONE). */
export function windowStarts(now: number, timeZone: string): Record<StatisticsWindow, number> {
  return { last15Minutes: now - RECENT_WINDOW_MS, today: startOfDay(now, timeZone) };
}

/** What one committed change did to a queue's figures: what /metrics counts on the node that committed it. */
export type QueueEvent =
  | { kind: "offered"; queue: string }
  | { kind: "answered"; queue: string; waitSeconds: number }
  | { kind: "abandoned"; queue: string; waitSeconds: number }
  | { kind: "handled"; queue: string; handleSeconds: number };

/** The events of a change from `before` (null: it was created) to `after`. */
export function queueEvents(before: AgentInteraction | null, after: AgentInteraction): QueueEvent[] {
  const queue = after.entryQueue;
  const events: QueueEvent[] = [];
  if (before === null) events.push({ kind: "offered", queue });
  if (before?.answeredAt == null && after.answeredAt !== null) {
    events.push({ kind: "answered", queue, waitSeconds: (after.answeredAt - after.createdAt) / 1000 });
  }
  if (before?.abandonedAt == null && after.abandonedAt !== null) {
    events.push({ kind: "abandoned", queue, waitSeconds: (after.abandonedAt - after.createdAt) / 1000 });
  }
  if (before?.completedAt == null && after.completedAt !== null && after.answeredAt !== null) {
    events.push({ kind: "handled", queue, handleSeconds: (after.completedAt - after.answeredAt) / 1000 });
  }
  return events;
}

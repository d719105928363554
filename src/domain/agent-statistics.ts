/**
 * An agent's day in numbers: the time each channel spent in each state and reason (from the state
 * log, which has a row per state a channel was in, with its start and end), the interactions they
 * completed, their average handle time, and their wrap-up time. Pure: the action reads the rows,
 * clipped here to the day (startOfDay in STATISTICS_TIME_ZONE, until now).
 */
import type { AgentState } from "./agent-state.ts";
import { invalidInput } from "./errors.ts";
import { AFTER_CALL_WORK, inAfterCallWork, type ReportedChannel } from "./wrap-up.ts";
import { CHANNELS, type Channel } from "./users.ts";

/** What the log keeps: the stored state, or AfterCallWork while a wrap-up holds a Ready channel. */
export type LoggedState = AgentState | typeof AFTER_CALL_WORK;

/** A channel state as the log records it. */
export interface LoggedChannelState {
  channel: Channel;
  state: LoggedState;
  reason: string | null;
}

/** One row of the state log: a state a channel was in, from `startedAt` to `endedAt` (null: it still is). */
export interface StateLogRow extends LoggedChannelState {
  userId: string;
  startedAt: number;
  endedAt: number | null;
}

/** The interactions an agent completed (owner at completion) on one channel in a period. */
export interface HandledWork {
  channel: Channel;
  count: number;
  /** Those with a known accept time (completed after migration 011), and their accept-to-completion total. */
  timed: number;
  handleMs: number;
}

/** How a reported channel goes into the log. */
function loggedState(channel: ReportedChannel): LoggedChannelState {
  if (inAfterCallWork(channel)) return { channel: channel.channel, state: AFTER_CALL_WORK, reason: AFTER_CALL_WORK };
  return { channel: channel.channel, state: channel.state, reason: channel.reason };
}

/**
 * The log entries a change makes: every channel whose logged state or reason moved between
 * `before` and `after` closes its open row and opens this one. A change to the same state and
 * reason makes none, so a day's rows are the agent's real transitions.
 */
export function stateTransitions(before: readonly ReportedChannel[], after: readonly ReportedChannel[]): LoggedChannelState[] {
  const moved: LoggedChannelState[] = [];
  for (const next of after) {
    const was = before.find((b) => b.channel === next.channel);
    const entry = loggedState(next);
    const previous = was === undefined ? null : loggedState(was);
    if (previous === null || previous.state !== entry.state || previous.reason !== entry.reason) moved.push(entry);
  }
  return moved;
}

/** The only period the statistics give for now: `?date=today`, or nothing. */
export function checkStatisticsDate(date: string | undefined): "today" {
  if (date === undefined || date === "today") return "today";
  throw invalidInput(`date: only today (or no date) is supported, not ${date}`);
}

interface StateTime {
  state: LoggedState;
  reason: string | null;
  seconds: number;
}

interface ChannelStatistics {
  channel: Channel;
  states: StateTime[];
  interactionsHandled: number;
  /** Mean accept-to-completion of those handled, seconds; null when none. Wrap-up is not in it. */
  averageHandleSeconds: number | null;
  wrapUpSeconds: number;
}

export interface AgentStatistics {
  since: number;
  until: number;
  channels: ChannelStatistics[];
  interactionsHandled: number;
  averageHandleSeconds: number | null;
  wrapUpSeconds: number;
}

const STATE_ORDER: readonly LoggedState[] = ["Ready", "NotReady", AFTER_CALL_WORK];

/**
 * The totals of [since, until): each row's time within the period (an open row runs until
 * `until`) summed per channel, state and reason; the handled work per channel and overall.
 */
export function agentStatistics(rows: readonly StateLogRow[], handled: readonly HandledWork[], since: number, until: number): AgentStatistics {
  const channels = CHANNELS.map((channel) =>
    channelStatistics(
      channel,
      rows.filter((r) => r.channel === channel),
      handled.filter((h) => h.channel === channel),
      since,
      until,
    ),
  );
  const all = sumHandled(handled);
  return {
    since,
    until,
    channels,
    interactionsHandled: all.count,
    averageHandleSeconds: averageSeconds(all),
    wrapUpSeconds: channels.reduce((sum, c) => sum + c.wrapUpSeconds, 0),
  };
}

function channelStatistics(channel: Channel, rows: readonly StateLogRow[], handled: readonly HandledWork[], since: number, until: number): ChannelStatistics {
  const ms = new Map<string, { state: LoggedState; reason: string | null; ms: number }>();
  for (const row of rows) {
    const overlap = Math.min(row.endedAt ?? until, until) - Math.max(row.startedAt, since);
    if (overlap <= 0) continue;
    const key = `${row.state}\u0000${row.reason ?? ""}`;
    const total = ms.get(key) ?? { state: row.state, reason: row.reason, ms: 0 };
    total.ms += overlap;
    ms.set(key, total);
  }
  const states = [...ms.values()]
    .map((t) => ({ state: t.state, reason: t.reason, seconds: Math.round(t.ms / 1000) }))
    .sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || (a.reason ?? "").localeCompare(b.reason ?? ""));
  const work = sumHandled(handled);
  return {
    channel,
    states,
    interactionsHandled: work.count,
    averageHandleSeconds: averageSeconds(work),
    wrapUpSeconds: states.filter((s) => s.state === AFTER_CALL_WORK).reduce((sum, s) => sum + s.seconds, 0),
  };
}

function sumHandled(handled: readonly HandledWork[]): Omit<HandledWork, "channel"> {
  return handled.reduce((sum, h) => ({ count: sum.count + h.count, timed: sum.timed + h.timed, handleMs: sum.handleMs + h.handleMs }), {
    count: 0,
    timed: 0,
    handleMs: 0,
  });
}

function averageSeconds(work: Omit<HandledWork, "channel">): number | null {
  return work.timed === 0 ? null : Math.round(work.handleMs / work.timed / 1000);
}

/** How long the state log keeps a row after it ended: a month of days to report on, and a margin. */
export const STATE_LOG_RETENTION_MS = 35 * 86_400_000;

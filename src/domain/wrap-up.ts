/**
 * Wrap-up (after-call work): once an agent completes an interaction of a queue with
 * `wrapUpSeconds`, one slot of theirs on that channel stays held while they finish their notes,
 * until the time is up or they say Ready. A channel they had Ready reports `AfterCallWork` while
 * a wrap-up runs on it. Pure rules; the rows live in the store (`agent_wrap_ups`).
 */
import type { AgentInteraction } from "./agent-interactions.ts";
import type { ChannelState } from "./agent-state.ts";
import type { QueuePolicy } from "./queue-policy.ts";
import type { Channel } from "./users.ts";

export interface WrapUp {
  /** The completed interaction it follows (one wrap-up each at most). */
  interactionId: string;
  userId: string;
  channel: Channel;
  queue: string;
  startedAt: number;
  /** When the sweep frees the slot, unless the agent says Ready first. */
  endsAt: number;
}

/** The reason an AfterCallWork channel reports (and the name of the agent-state operation desktops know it by). */
export const AFTER_CALL_WORK = "AfterCallWork";

/**
 * The wrap-up that `agentId` starts by completing `ix` at `now`, held for its queue's
 * `wrapUpSeconds`; null when the queue has none.
 */
export function wrapUpAfter(ix: AgentInteraction, agentId: string, policy: QueuePolicy, now: number): WrapUp | null {
  if (policy.wrapUpSeconds <= 0) return null;
  return { interactionId: ix.id, userId: agentId, channel: ix.mediaType, queue: ix.queue, startedAt: now, endsAt: now + policy.wrapUpSeconds * 1000 };
}

/** A channel's state as the agent and supervisors are told it. */
export interface ReportedChannel extends ChannelState {
  /** While the channel is in AfterCallWork: when its last running wrap-up ends; null otherwise. */
  wrapUpEndsAt: number | null;
}

/**
 * The channels as reported: a Ready channel with a wrap-up running on it is NotReady with reason
 * AfterCallWork (since the earliest of them started, or the Ready if it came later) until the
 * last of them ends; every other channel is as stored. The stored state stays Ready underneath,
 * so the agent is Ready again the moment the wrap-ups end.
 */
export function reportChannels(states: readonly ChannelState[], wrapUps: readonly WrapUp[]): ReportedChannel[] {
  return states.map((s) => {
    const running = wrapUps.filter((w) => w.channel === s.channel);
    if (s.state !== "Ready" || running.length === 0) return { ...s, wrapUpEndsAt: null };
    const startedAt = Math.min(...running.map((w) => w.startedAt));
    return {
      ...s,
      state: "NotReady",
      reason: AFTER_CALL_WORK,
      changedAt: Math.max(s.changedAt, startedAt),
      wrapUpEndsAt: Math.max(...running.map((w) => w.endsAt)),
    };
  });
}

/** Whether the channel is in after-call work (a wrap-up runs on a channel the agent had Ready). */
export function inAfterCallWork(channel: ReportedChannel): boolean {
  return channel.wrapUpEndsAt !== null;
}

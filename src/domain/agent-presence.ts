/**
 * Agent presence across nodes (issue 20): the node holding an agent's CometD clients keeps a
 * row of theirs alive in the database; a row nobody renews past its expiry means that node is
 * gone. The agent is then absent: NotReady at once, and after a grace period the chats they had
 * accepted go back to their queue for someone else. Pure rules; the sweep is actions/agent-presence.ts.
 */
import { applyOperation, releaseAgent, type AgentInteraction, type Outcome } from "./agent-interactions.ts";
import type { NewEntry } from "./chat.ts";

export interface AgentPresence {
  userId: string;
  /** The node that renewed it last. */
  nodeId: string;
  expiresAt: number;
  /** When a sweep found it expired and made the agent NotReady; null while it is renewed. */
  orphanedAt: number | null;
}

/** The renewals a node makes within one expiry: one missed renewal (a slow sweep) does not make its agents absent. */
const RENEWALS_PER_TTL = 3;

/** How often a node renews its agents' presence (AGENT_PRESENCE_TTL_MS / 3). */
export function renewalInterval(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / RENEWALS_PER_TTL));
}

/** Until when a renewal made at `now` keeps an agent present. */
export function presenceExpiry(now: number, ttlMs: number): number {
  return now + ttlMs;
}

/**
 * Whether a sweep finds the agent absent: their row expired, no sweep has marked it yet, and
 * they have no client on the sweeping node (whose own renewal would have kept it).
 */
export function isAbsent(presence: AgentPresence, now: number, hasLocalClient: boolean): boolean {
  return presence.orphanedAt === null && presence.expiresAt <= now && !hasLocalClient;
}

/** Whether an absent agent's grace (AGENT_ORPHAN_GRACE_MS) is over: their chats go to someone else. */
export function graceOver(presence: AgentPresence, now: number, graceMs: number): boolean {
  return presence.orphanedAt !== null && presence.orphanedAt + graceMs <= now;
}

/** The latest `orphanedAt` whose grace is over at `now` (what the store looks for). */
export function orphanedBy(now: number, graceMs: number): number {
  return now - graceMs;
}

/**
 * What an absent agent's grace ending does to one interaction they are on: an accepted one goes
 * back to its queue (or, in a conference, to the first agent still in it), an invitation is
 * declined, a conference seat left. Work they parked in a workbin stays theirs (nobody waits on
 * it). Null: nothing changes.
 */
export function releaseAbsentAgent(ix: AgentInteraction, agentId: string, now: number): Outcome | null {
  const owns = ix.ownerId === agentId && ix.invitation?.agentId !== agentId;
  if (owns && ix.state === "InWorkbin") return null;
  if (owns && ix.state === "Accepted" && ix.conference.length > 0) return applyOperation(ix, agentId, { operationName: "StopProcessing" }, now);
  return releaseAgent(ix, agentId, now);
}

/** Whether that release took the agent's own chat from them (not a seat or an invitation): the customer is told. */
export function tookTheirWork(before: AgentInteraction, after: AgentInteraction, agentId: string): boolean {
  return before.ownerId === agentId && before.state === "Accepted" && after.state === "Queued";
}

/** The transcript notice a customer sees when their absent agent's chat goes back to the queue. */
export const AGENT_LOST_NOTICE: NewEntry = {
  type: "Notice.Custom",
  nick: "system",
  text: "Your agent was disconnected. You will be connected to another agent.",
  userType: "EXTERNAL",
};

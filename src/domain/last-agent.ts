/**
 * Last-agent routing: a chat from a customer whose previous chat ended a short while ago
 * (LAST_AGENT_WINDOW_SECONDS) is kept for the agent who had it (LAST_AGENT_WAIT_SECONDS after it
 * was created), then goes to anyone. The customer is known only by what someone vouched for: the
 * profile the chat is linked to, or a gms_user a token proved. An agent opts a chat out with
 * `saveLAR: false` (GWS), on Accept or when completing it.
 */
import type { AgentInteraction } from "./agent-interactions.ts";
import type { Channel } from "./users.ts";

export interface LastAgent {
  agentId: string;
  /** When that agent's chat with the customer ended. */
  endedAt: number;
}

export interface LastAgentRule {
  /** A previous chat counts if it ended at most this long before the new one was created; 0: off. */
  windowMs: number;
  /** How long a new chat waits for that agent; 0: off. */
  waitMs: number;
}

/** Who a chat's customer is, for remembering their agent: a verified profile, else a proven gms_user; null: unknown. */
export function customerKey(media: Channel, verified: { customerId: string | null; provenGmsUser: string | null }): string | null {
  if (media !== "chat") return null;
  if (verified.customerId !== null) return profileKey(verified.customerId);
  return verified.provenGmsUser === null ? null : `gms_user:${verified.provenGmsUser}`;
}

/** The key of a customer known by their profile. */
export function profileKey(customerId: string): string {
  return `customer:${customerId}`;
}

/** The agent to remember as the customer's last one now that `ix` ended, or null (unknown customer, opted out, nobody had it). */
export function agentToRemember(ix: AgentInteraction): string | null {
  if (ix.customerKey === null || !ix.saveLastAgent || ix.state !== "Completed") return null;
  return ix.ownerId;
}

/**
 * The agent `ix` is kept for at `now`, or null (anyone may have it): the customer's last agent,
 * while the chat is younger than the wait and the previous one ended within the window, unless
 * that agent is the one who just declined it.
 */
export function reservedAgent(
  ix: Pick<AgentInteraction, "createdAt">,
  last: LastAgent | null,
  rule: LastAgentRule,
  now: number,
  declinedBy: string | null,
): string | null {
  if (last === null || rule.windowMs === 0 || rule.waitMs === 0) return null;
  if (ix.createdAt - last.endedAt > rule.windowMs || now >= ix.createdAt + rule.waitMs) return null;
  return last.agentId === declinedBy ? null : last.agentId;
}

/**
 * A routing pass's two decisions beyond the plain rule (routing.ts `chooseAgent`): in which order
 * the waiting interactions are served (higher priority first, overflow raises included; within
 * one, the longest waiting; then by id, so every node agrees), and which agent gets one (its
 * overflow requirements, the customer's last agent kept it for a moment). Pure: `now` is passed.
 */
import type { AgentInteraction } from "./agent-interactions.ts";
import { reservedAgent, type LastAgent, type LastAgentRule } from "./last-agent.ts";
import { qualifiesFor, routingRequirements, type QueueDemand, type Requirements } from "./overflow.ts";
import type { Candidate } from "./routing.ts";
import type { Skill } from "./users.ts";

export interface Planned {
  ix: AgentInteraction;
  requirements: Requirements;
}

/** The queued interactions in the order routing serves them, each with what it needs now. */
export function planRouting(
  queued: readonly AgentInteraction[],
  demandOf: (queue: string) => QueueDemand,
  queues: ReadonlyMap<string, { skills: readonly Skill[] }>,
  now: number,
): Planned[] {
  const planned = queued.map((ix) => ({ ix, requirements: routingRequirements(demandOf(ix.queue), ix, now, queues) }));
  return planned.sort(
    (a, b) => b.requirements.priority - a.requirements.priority || a.ix.queuedAt - b.ix.queuedAt || (a.ix.id < b.ix.id ? -1 : a.ix.id > b.ix.id ? 1 : 0),
  );
}

export interface Choice {
  ix: Pick<AgentInteraction, "createdAt">;
  requirements: Requirements;
  /** Who declined it last, while they are not offered it again; null: nobody. */
  declinedBy: string | null;
  /** The customer's last agent (last-agent routing), if remembered. */
  lastAgent: LastAgent | null;
  lastAgentRule: LastAgentRule;
  now: number;
}

/**
 * The agent to offer it to, or null. While it is kept for the customer's last agent, only that
 * agent, when they have a free slot (Ready and qualified, but full: it waits for them); a last
 * agent who is not Ready, or not qualified, is not waited for. Otherwise the longest idle
 * qualified agent with free capacity, as chooseAgent.
 */
export function chooseAgentFor(candidates: Iterable<Candidate>, choice: Choice): Candidate | null {
  const { requirements, declinedBy } = choice;
  const reserved = reservedAgent(choice.ix, choice.lastAgent, choice.lastAgentRule, choice.now, declinedBy);
  let best: Candidate | null = null;
  for (const c of candidates) {
    // Kept for the last agent: theirs when they have a slot, nobody's while they are full.
    if (c.agentId === reserved && qualifiesFor(c.skills, requirements)) return c.load < c.capacity ? c : null;
    if (c.agentId === declinedBy || c.load >= c.capacity || !qualifiesFor(c.skills, requirements)) continue;
    if (best === null || c.idleSince < best.idleSince || (c.idleSince === best.idleSince && c.agentId < best.agentId)) best = c;
  }
  return best;
}

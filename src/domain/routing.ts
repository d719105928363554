/**
 * Routing: which Ready agent gets a queued interaction. A pure function of the candidates, so
 * the rule is tested on its own: an agent with every skill the queue asks for (at that level or
 * higher) and free capacity for the media, idle longest; not the agent who just declined it,
 * until it has waited one offer timeout.
 */
import type { Role, Skill } from "./users.ts";

export interface Queue {
  name: string;
  /** Each must be held at this level or higher. */
  skills: Skill[];
  createdAt: number;
}

export interface Candidate {
  agentId: string;
  skills: Skill[];
  /** Interactions of this media the agent can hold at once, and holds (offers included). */
  capacity: number;
  load: number;
  /** Since when the agent has had nothing new (Ready, or their last offer or release). */
  idleSince: number;
}

/**
 * Whether routing may offer work to a user of these roles: only to those holding one of the
 * routing roles (ROUTING_ROLES, `ROLE_AGENT` by default), so a supervisor or administrator who
 * sets themselves Ready is not sent customers unless the deployment says so.
 */
export function routable(userRoles: readonly Role[], routingRoles: readonly Role[]): boolean {
  return userRoles.some((role) => routingRoles.includes(role));
}

export function qualifies(agentSkills: readonly Skill[], required: readonly Skill[]): boolean {
  return required.every((need) => agentSkills.some((s) => s.name === need.name && s.level >= need.level));
}

/** The agent to offer it to, or null: nobody qualifies with free capacity. */
export function chooseAgent(candidates: Iterable<Candidate>, queue: Queue, declinedBy: string | null): Candidate | null {
  let best: Candidate | null = null;
  for (const c of candidates) {
    if (c.agentId === declinedBy || c.load >= c.capacity || !qualifies(c.skills, queue.skills)) continue;
    if (best === null || c.idleSince < best.idleSince || (c.idleSince === best.idleSince && c.agentId < best.agentId)) best = c;
  }
  return best;
}

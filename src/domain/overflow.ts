/**
 * Overflow: what a queue asks of agents as an interaction waits longer. A queue's configuration
 * lists steps, each reached `afterSeconds` after the interaction entered the queue: from then
 * on, agents with a skill level lower by `lowerSkillLevelBy` qualify, agents qualified for the
 * `addQueues` (other queues' skills) qualify too, and its priority is raised by `raisePriorityBy`.
 * Steps add up: a later step keeps what the earlier ones gave.
 *
 * The steps an interaction reached are stored with it (`overflowStep`, and its priority with the
 * raises in it), so every node orders the queue alike and a raise is applied once. A step once
 * reached stays while the interaction is in that queue: an offer declined or expired, which
 * restarts its wait, does not take the step back.
 */
import type { AgentInteraction } from "./agent-interactions.ts";
import { raisePriority } from "./priority.ts";
import { qualifies } from "./routing.ts";
import type { Skill } from "./users.ts";

export interface OverflowStep {
  /** Seconds after the interaction entered its queue. */
  afterSeconds: number;
  /** Each skill the queue asks for is accepted this many levels lower (never below 0). */
  lowerSkillLevelBy: number;
  /** Agents qualified for any of these queues (their skills) qualify too. */
  addQueues: string[];
  /** Added to the interaction's priority once, when the step is reached. */
  raisePriorityBy: number;
}

/** The attached-data key that shows the step reached (GWS clients see userData). */
export const OVERFLOW_STEP_PROPERTY = "routing_overflow_step";

/** What routing asks for an interaction now. */
export interface Requirements {
  /** The queue's skills with the levels its reached steps lowered. */
  skills: Skill[];
  /** Other queues' skills: an agent holding one of these sets qualifies as well. */
  alternatives: Skill[][];
  /** Its priority with the raises of the steps reached now and not before. */
  priority: number;
  /** How many steps it has reached (0: none). */
  step: number;
}

export interface Waiting {
  /** Its stored priority: the raises of the `overflowStep` steps already in it. */
  priority: number;
  overflowStep: number;
  queuedAt: number;
}

export interface QueueDemand {
  skills: readonly Skill[];
  /** Ordered by afterSeconds (config-file.ts checks it). */
  overflow: readonly OverflowStep[];
}

/** Steps whose time has come at `now` for an interaction queued at `queuedAt`. */
function stepsDue(overflow: readonly OverflowStep[], queuedAt: number, now: number): number {
  return overflow.filter((step) => now - queuedAt >= step.afterSeconds * 1000).length;
}

/**
 * What `waiting` needs now in a queue asking `demand`: `otherQueues` names every queue's skills
 * (a step's `addQueues` that names none adds nothing).
 */
export function routingRequirements(
  demand: QueueDemand,
  waiting: Waiting,
  now: number,
  otherQueues: ReadonlyMap<string, { skills: readonly Skill[] }>,
): Requirements {
  const step = Math.min(demand.overflow.length, Math.max(waiting.overflowStep, stepsDue(demand.overflow, waiting.queuedAt, now)));
  const reached = demand.overflow.slice(0, step);
  const lowerBy = reached.reduce((sum, s) => sum + s.lowerSkillLevelBy, 0);
  const newlyRaisedBy = demand.overflow.slice(waiting.overflowStep, step).reduce((sum, s) => sum + s.raisePriorityBy, 0);
  const alternatives: Skill[][] = [];
  for (const name of new Set(reached.flatMap((s) => s.addQueues))) {
    const other = otherQueues.get(name);
    if (other !== undefined) alternatives.push([...other.skills]);
  }
  return {
    skills: demand.skills.map((s) => ({ name: s.name, level: Math.max(0, s.level - lowerBy) })),
    alternatives,
    priority: raisePriority(waiting.priority, newlyRaisedBy),
    step,
  };
}

/** Whether an agent with `skills` qualifies: for the queue's (lowered) skills, or for an added queue's. */
export function qualifiesFor(skills: readonly Skill[], requirements: Requirements): boolean {
  return qualifies(skills, requirements.skills) || requirements.alternatives.some((other) => qualifies(skills, other));
}

/** The interaction with the steps it reached recorded (priority raised, step in its attached data); itself when none is new. */
export function reachOverflowStep(ix: AgentInteraction, requirements: Requirements, now: number): AgentInteraction {
  if (requirements.step <= ix.overflowStep) return ix;
  return {
    ...ix,
    priority: requirements.priority,
    overflowStep: requirements.step,
    properties: { ...ix.properties, [OVERFLOW_STEP_PROPERTY]: requirements.step },
    updatedAt: now,
  };
}

/** Placed in another queue: its steps were that queue's; it starts over there (the priority keeps what was raised). */
export function leaveOverflow(ix: AgentInteraction): AgentInteraction {
  if (ix.overflowStep === 0) return ix;
  const { [OVERFLOW_STEP_PROPERTY]: _dropped, ...properties } = ix.properties;
  return { ...ix, overflowStep: 0, properties };
}

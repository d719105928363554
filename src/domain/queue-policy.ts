/**
 * How a queue is run, beyond the skills it asks for: set per queue in the config file
 * (`queues[]`), the same on every node. Read by routing (wrap-up, overflow, capacity) and by the
 * service-level statistics.
 */
import type { OverflowStep } from "./overflow.ts";
import type { Skill } from "./users.ts";

export interface QueuePolicy {
  name: string;
  skills: Skill[];
  /** After an agent completes an interaction of this queue, its slot stays held this long (AfterCallWork); 0: freed at once. */
  wrapUpSeconds: number;
  /** Answered within this many seconds counts as within the service level. */
  serviceLevelSeconds: number;
  /** Abandoned within this many seconds is left out of the service level (a customer who changed their mind). */
  shortAbandonSeconds: number;
  /** Interactions that may wait at once; past it new chats are refused (503). null: no limit. */
  maxWaiting: number | null;
  /** Overflow steps (overflow.ts), by time reached; none by default. */
  overflow: OverflowStep[];
}

export const DEFAULT_SERVICE_LEVEL_SECONDS = 20;
export const DEFAULT_SHORT_ABANDON_SECONDS = 5;

/** A queue no configuration speaks of (made by the API, or `default`): no wrap-up, no limit. */
export function defaultPolicy(name: string, skills: Skill[] = []): QueuePolicy {
  return {
    name,
    skills,
    wrapUpSeconds: 0,
    serviceLevelSeconds: DEFAULT_SERVICE_LEVEL_SECONDS,
    shortAbandonSeconds: DEFAULT_SHORT_ABANDON_SECONDS,
    maxWaiting: null,
    overflow: [],
  };
}

/** The policy of `name` among the configured ones, or the default. */
export function policyOf(policies: ReadonlyMap<string, QueuePolicy>, name: string): QueuePolicy {
  return policies.get(name) ?? defaultPolicy(name);
}

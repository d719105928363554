/**
 * How many may wait in a queue, and how long a customer is told they will wait. Pure: the
 * chat actions count the queue in the database and ask here.
 */
import type { QueuePolicy } from "./queue-policy.ts";

/** Whether `waiting` queued interactions fill the queue (`maxWaiting`): a new chat is then refused. */
export function isFull(policy: QueuePolicy, waiting: number): boolean {
  return policy.maxWaiting !== null && waiting >= policy.maxWaiting;
}

/**
 * Seconds until the interaction at `place` (1-based, longest waiting first) is likely offered:
 * the interactions up to it shared among the `serving` agents (Ready and qualified; at least one
 * is assumed, or nobody could ever be told a wait), each round taking the measured mean handle
 * time. Null without a measured handle time. Rounded up to whole seconds.
 */
export function estimatedWaitSeconds(place: number, serving: number, handleMs: number | null): number | null {
  if (handleMs === null) return null;
  const rounds = Math.ceil(place / Math.max(1, serving));
  return Math.ceil((rounds * handleMs) / 1000);
}

/** What a refused customer is told: the queue is full, and for how long to expect it. */
export function queueFullMessage(queue: string, waiting: number, estimatedSeconds: number | null): string {
  const wait = estimatedSeconds === null ? "" : `; the estimated wait is ${estimatedSeconds} seconds`;
  return `queue ${queue} is full (${waiting} waiting): try again later${wait}`;
}

/**
 * An interaction's routing priority: an integer, higher routed first (within one priority, the
 * longest waiting first). Set by a chat service's configuration, by whoever submits open media,
 * by supervisors; raised by a queue's overflow steps, never past the top.
 */
import { invalidInput } from "./errors.ts";

export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 1000;

export function isPriority(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= PRIORITY_MIN && (value as number) <= PRIORITY_MAX;
}

/** `value` as a priority, or invalid_input naming `field` and the range. */
export function readPriority(value: unknown, field = "priority"): number {
  if (!isPriority(value)) throw invalidInput(`${field}: an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
  return value;
}

/** `priority` raised by `by`, kept within the range. */
export function raisePriority(priority: number, by: number): number {
  return Math.min(PRIORITY_MAX, Math.max(PRIORITY_MIN, priority + by));
}

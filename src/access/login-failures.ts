/**
 * Failed logins per key (a user name from one address, see authentication.ts), and the delay
 * they earn its next attempt. In memory, per node, for a bounded number of keys ("names" below).
 *
 * The bound must not turn eviction into a reset: flooding the table with junk names must never
 * erase a target's back-off. A full table first forgets names whose failures have expired,
 * then a name with no more failures than a newcomer (one); when every slot holds a name with
 * more, the newcomer is not remembered on its own but counts in one overflow entry that every
 * name without a slot shares, so the flood slows the flooder's own guesses down.
 */

export interface FailureLogOptions {
  /** Names remembered at most. */
  maxNames: number;
  /** A name's failures are forgotten this long after its last one, milliseconds. */
  windowMs: number;
  now: () => number;
}

interface Failures {
  count: number;
  /** When the last failure was recorded. */
  last: number;
}

/** Failures for one name before answers slow down, and the longest delay. */
const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

export class FailureLog {
  private readonly names = new Map<string, Failures>();
  private readonly options: FailureLogOptions;
  /** Shared by every name without a slot while the table is full of names with more failures. */
  private overflow: Failures | null = null;

  constructor(options: FailureLogOptions) {
    this.options = options;
  }

  /** Recent failures of `name` (the overflow's, when the table is full and `name` has no slot). */
  count(name: string): number {
    const known = this.names.get(name);
    if (known !== undefined) return this.live(known) ? known.count : 0;
    if (this.overflow === null || !this.live(this.overflow) || this.names.size < this.options.maxNames) return 0;
    return this.overflow.count;
  }

  /** How long the next attempt for `name` waits before its password is checked, milliseconds. */
  delayMs(name: string): number {
    const excess = this.count(name) - FREE_FAILURES;
    return excess < 0 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** excess);
  }

  record(name: string): void {
    const now = this.options.now();
    const known = this.names.get(name);
    if (known !== undefined) {
      known.count = this.live(known) ? known.count + 1 : 1;
      known.last = now;
      return;
    }
    if (this.room()) {
      this.names.set(name, { count: 1, last: now });
      return;
    }
    this.overflow = this.overflow !== null && this.live(this.overflow) ? { count: this.overflow.count + 1, last: now } : { count: 1, last: now };
  }

  /** A successful login: the name starts afresh. */
  clear(name: string): void {
    this.names.delete(name);
  }

  /** Names remembered now (tests). */
  get size(): number {
    return this.names.size;
  }

  private live(failures: Failures): boolean {
    return this.options.now() - failures.last <= this.options.windowMs;
  }

  /** Whether a newcomer (one failure) may have a slot: expired names go first, then one with a single failure. */
  private room(): boolean {
    if (this.names.size < this.options.maxNames) return true;
    for (const [name, failures] of this.names) if (!this.live(failures)) this.names.delete(name);
    if (this.names.size < this.options.maxNames) return true;
    // The first found is the longest remembered of the fewest (a Map iterates in insertion order).
    let fewest: [string, Failures] | null = null;
    for (const entry of this.names) if (fewest === null || entry[1].count < fewest[1].count) fewest = entry;
    if (fewest === null || fewest[1].count > 1) return false;
    this.names.delete(fewest[0]);
    return true;
  }
}

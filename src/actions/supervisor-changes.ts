/**
 * Supervisors are told that something they watch changed, not what: a notice names the views to
 * re-read (`agents`, `queues`). Changes come in bursts (a busy center, a routing pass), so the
 * notices of one node are coalesced: the first change after a quiet spell goes out at once, the
 * ones after it within `intervalMs` wait and go out together at the end of that interval (a
 * trailing edge, so the last change is always told). At most one notice per interval per node.
 */
import type { SupervisedView } from "../wire/agent-api.ts";

/** A timer source; tests give their own. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The default: at most four notices a second per node. */
const SUPERVISOR_NOTICE_INTERVAL_MS = 250;

export class SupervisorChanges {
  private readonly pending = new Set<SupervisedView>();
  private timer: unknown = null;
  private lastSent = Number.NEGATIVE_INFINITY;
  private closed = false;

  private readonly send: (changed: SupervisedView[]) => void;
  private readonly intervalMs: number;
  private readonly timers: Timers;

  constructor(send: (changed: SupervisedView[]) => void, intervalMs = SUPERVISOR_NOTICE_INTERVAL_MS, timers: Timers = REAL_TIMERS) {
    this.send = send;
    this.intervalMs = intervalMs;
    this.timers = timers;
  }

  /** Something in these views changed (committed). */
  note(changed: Iterable<SupervisedView>): void {
    if (this.closed) return;
    for (const view of changed) this.pending.add(view);
    if (this.pending.size === 0 || this.timer !== null) return;
    const wait = this.lastSent + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** Stops: what is pending is dropped (the node is closing). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const changed = [...this.pending];
    this.pending.clear();
    this.lastSent = this.timers.now();
    this.send(changed);
  }
}

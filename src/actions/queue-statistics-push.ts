/**
 * Supervisors subscribed to `/v2/queues` get every queue's statistics pushed when something in
 * the queues changed: coalesced per node like the change notices (supervisor-changes.ts; the
 * first at once after a quiet spell, then at most one every `intervalMs`, the last change always
 * pushed), and never two reads at once: a change during a read is pushed after it.
 */
import { SupervisorChanges, type Timers } from "./supervisor-changes.ts";

/** At most one push of every queue's statistics per 2 s per node: each is two aggregate queries. */
const QUEUE_PUSH_INTERVAL_MS = 2000;

export class QueueStatisticsPush {
  private readonly coalesced: SupervisorChanges;
  private readonly push: () => Promise<void>;
  private readonly failed: (err: unknown) => void;
  private running = false;
  private again = false;

  /** `push` reads and publishes; `failed` logs what went wrong (the next change tries again). */
  constructor(push: () => Promise<void>, failed: (err: unknown) => void, intervalMs = QUEUE_PUSH_INTERVAL_MS, timers?: Timers) {
    this.push = push;
    this.failed = failed;
    this.coalesced = new SupervisorChanges(() => this.run(), intervalMs, timers);
  }

  /** Something in the queues changed (committed). */
  note(): void {
    this.coalesced.note(["queues"]);
  }

  close(): void {
    this.coalesced.close();
  }

  private run(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.push()
      .catch(this.failed)
      .finally(() => {
        this.running = false;
        if (!this.again) return;
        this.again = false;
        this.run();
      });
  }
}

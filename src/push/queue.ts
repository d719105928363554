/**
 * The push port's own line of deliveries: a few run at once, a bounded number wait, and the
 * caller never waits for any of them. A slow push gateway then holds at most `concurrency`
 * requests and `maxWaiting` notifications, never the housekeeping sweep or a request.
 */

/** One delivery; `signal` aborts it when the queue is closed. Its failures are its own to log. */
export type Delivery = (signal: AbortSignal) => Promise<void>;

export interface DeliveryQueueOptions {
  /** Deliveries running at once (PUSH_CONCURRENCY). */
  concurrency: number;
  /** Deliveries waiting for a turn (PUSH_QUEUE_SIZE); past it `offer` refuses. */
  maxWaiting: number;
  /** A delivery that threw anyway (they are meant to log and return). */
  onError: (err: unknown) => void;
}

export class DeliveryQueue {
  private readonly options: DeliveryQueueOptions;
  private readonly waitingLine: Delivery[] = [];
  private readonly underWay = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(options: DeliveryQueueOptions) {
    this.options = options;
  }

  /** Starts it now, or lines it up; false (and nothing done) when the line is full or the queue closed. */
  offer(delivery: Delivery): boolean {
    if (this.abort.signal.aborted) return false;
    if (this.underWay.size < this.options.concurrency) {
      this.start(delivery);
      return true;
    }
    if (this.waitingLine.length >= this.options.maxWaiting) return false;
    this.waitingLine.push(delivery);
    return true;
  }

  /** Drops what waits, aborts what runs, and resolves once those have settled. */
  async close(): Promise<void> {
    this.waitingLine.length = 0;
    this.abort.abort();
    await Promise.all(this.underWay);
  }

  private start(delivery: Delivery): void {
    const signal = this.abort.signal;
    // A delivery that throws before its first await still becomes a rejection here.
    const run = Promise.resolve()
      .then(() => delivery(signal))
      .catch(this.options.onError)
      .finally(() => {
        this.underWay.delete(run);
        const next = this.abort.signal.aborted ? undefined : this.waitingLine.shift();
        if (next !== undefined) this.start(next);
      });
    this.underWay.add(run);
  }
}

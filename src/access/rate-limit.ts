/**
 * Rates per client: a token bucket per key (an address, a gms_user, a user name), refilled
 * continuously. In memory, per node: with several nodes behind a balancer a client gets each
 * node's allowance (the README says so); limits that must hold across nodes are counts in the
 * database.
 *
 * Memory is bounded without turning eviction into a reset. A bucket that has refilled is
 * forgotten (it knows nothing a new one would not), but one still draining is never evicted:
 * when every slot holds a draining bucket, new keys share one overflow bucket, so flooding the
 * table with fresh keys makes the flooder's own requests wait, not a victim's limit vanish.
 */

export interface RateOptions {
  /** Requests a key may make at once (the bucket's size). 0: no limit. */
  burst: number;
  /** How long an empty bucket takes to fill again, milliseconds. */
  refillMs: number;
  /** Keys remembered at most. */
  maxKeys?: number;
  now: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const DEFAULT_MAX_KEYS = 50_000;
/** Refilled buckets are swept out at most this often when the table is full (a sweep is O(keys)). */
const SWEEP_EVERY_MS = 1000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private nextSweep = 0;
  /** Shared by every key without a slot while the table is full. */
  private shared: Bucket | null = null;

  constructor(options: RateOptions) {
    this.burst = options.burst;
    this.perMs = options.burst / options.refillMs;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.now = options.now;
  }

  /** A limiter of `perMinute` requests a minute (bursts of as many); 0 allows everything. */
  static perMinute(perMinute: number, now: () => number, maxKeys?: number): RateLimiter {
    return new RateLimiter({ burst: perMinute, refillMs: 60_000, now, maxKeys });
  }

  /** Whether this limiter limits anything at all. */
  get enabled(): boolean {
    return this.burst > 0;
  }

  /** Takes one request for `key`: 0 when it may go ahead, else the milliseconds until it could. */
  take(key: string): number {
    if (!this.enabled) return 0;
    const bucket = this.bucketOf(key, true);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perMs);
  }

  /**
   * Spends `cost` for `key` whatever is left (what was already received cannot be refused):
   * the milliseconds until its balance is back to zero, for the caller to wait that long before
   * taking more from that client (0: nothing owed).
   */
  spend(key: string, cost: number): number {
    if (!this.enabled) return 0;
    const bucket = this.bucketOf(key, true);
    bucket.tokens -= cost;
    return bucket.tokens >= 0 ? 0 : Math.ceil(-bucket.tokens / this.perMs);
  }

  /** The milliseconds until `key` could make a request (0: now), taking nothing. */
  peek(key: string): number {
    if (!this.enabled) return 0;
    const bucket = this.bucketOf(key, false);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.perMs);
  }

  /** Whether `key` has used none of its allowance lately (its bucket is full). */
  untouched(key: string): boolean {
    return !this.enabled || this.bucketOf(key, false).tokens >= this.burst;
  }

  /**
   * Gives back one request `take` allowed for `key`, when it turned out not to count (a login
   * taken against the failure limit before its check, which then succeeded).
   */
  refund(key: string): void {
    if (!this.enabled) return;
    const bucket = this.buckets.get(key) ?? this.shared;
    if (bucket !== null) bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  /** Keys remembered now (tests, metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private bucketOf(key: string, create: boolean): Bucket {
    const now = this.now();
    const known = this.buckets.get(key);
    if (known !== undefined) return this.refill(known, now);
    if (!create) return this.buckets.size < this.maxKeys ? { tokens: this.burst, at: now } : this.overflow(now);
    if (!this.room(now)) return this.overflow(now);
    const fresh = { tokens: this.burst, at: now };
    this.buckets.set(key, fresh);
    return fresh;
  }

  private refill(bucket: Bucket, now: number): Bucket {
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }

  /** Whether a new key may have a slot of its own, sweeping out refilled buckets when full. */
  private room(now: number): boolean {
    if (this.buckets.size < this.maxKeys) return true;
    if (now < this.nextSweep) return false;
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [key, bucket] of this.buckets) {
      if (this.refill(bucket, now).tokens >= this.burst) this.buckets.delete(key);
    }
    return this.buckets.size < this.maxKeys;
  }

  /** The bucket every key without a slot shares while the table is full. */
  private overflow(now: number): Bucket {
    this.shared ??= { tokens: this.burst, at: now };
    return this.refill(this.shared, now);
  }
}

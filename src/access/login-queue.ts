/**
 * Where password checks wait. A check costs a scrypt (32 MiB, tens of milliseconds of a core),
 * so a flood of wrong logins must queue, not pin every core: checks for one user name run one at
 * a time (the name's delay is taken in its turn, so parallel guesses get no more checks a second
 * than serial ones), at most a few scrypts run at once, and at most `maxWaiting` attempts wait;
 * past that an attempt is refused at once, before any scrypt.
 */
import { AppError, rateLimited } from "../domain/errors.ts";

export interface LoginQueueOptions {
  /** Scrypts running at once. */
  running: number;
  /** Attempts waiting (for their name's turn, its delay, or a free scrypt) at most. */
  maxWaiting: number;
  /** Attempts for one name in flight at most (the one being checked included). */
  maxPerName: number;
}

/** Full: try again in this many seconds (a few scrypts' time, rounded up). */
const FULL_RETRY_SECONDS = 1;

export class LoginQueue {
  private readonly options: LoginQueueOptions;
  /** Per name: attempts in flight, and the end of the last one's turn. */
  private readonly names = new Map<string, { inFlight: number; tail: Promise<void> }>();
  /** Attempts admitted and not finished, and of those, the ones running their scrypt. */
  private admitted = 0;
  private running = 0;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(options: LoginQueueOptions) {
    this.options = options;
  }

  /** Attempts admitted that are not running a scrypt (tests, metrics). */
  get waiting(): number {
    return this.admitted - this.running;
  }

  /**
   * Runs `turn` when no other attempt for `name` is in flight; refuses at once (503) when too
   * many attempts wait, or (429) when too many are in flight for this name. `turn` runs its
   * scrypt through `withSlot`.
   */
  async inTurn<T>(name: string, turn: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.options.maxWaiting) {
      throw new AppError("unavailable", "too many logins are being checked: try again shortly", { retryAfterSeconds: FULL_RETRY_SECONDS });
    }
    const entry = this.names.get(name) ?? { inFlight: 0, tail: Promise.resolve() };
    if (entry.inFlight >= this.options.maxPerName) throw rateLimited("too many logins for this user name at once: try again shortly", 1000);
    this.names.set(name, entry);
    entry.inFlight++;
    this.admitted++;
    const result = entry.tail.then(turn);
    entry.tail = result.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await result;
    } finally {
      this.admitted--;
      if (--entry.inFlight === 0) this.names.delete(name);
    }
  }

  /** Runs `work` (a scrypt) when fewer than `running` do; first come, first served. */
  async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.options.running) this.running++;
    else await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    try {
      return await work();
    } finally {
      // The slot passes to the next in line as it is; only an unwanted slot is given up.
      const next = this.slotWaiters.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}

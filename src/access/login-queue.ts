/**
 * Where password checks wait. A check costs a scrypt (32 MiB, tens of milliseconds of a core),
 * so a flood of wrong logins must queue, not pin every core. Attempts for one name from one
 * address take turns (the delay their failures earned is taken in the turn, so parallel guesses
 * get no more checks a second than serial ones); scrypts for one name run one at a time,
 * whatever address they come from; at most a few run at once; and at most `maxWaiting`
 * attempts wait: past that an attempt is refused at once, before any scrypt.
 *
 * Turns are per name and address, not per name alone, so guessing a name's password never
 * makes its owner, logging in from elsewhere, wait out the guesser's delays or be refused.
 */
import { rateLimited, unavailable } from "../domain/errors.ts";

export interface LoginQueueOptions {
  /** Scrypts running at once. */
  running: number;
  /** Attempts waiting (for their name's turn, its delay, or a free scrypt) at most. */
  maxWaiting: number;
  /** Attempts of one turn key (a name from one address) in flight at most (the one being checked included). */
  maxPerKey: number;
}

/** Full: try again after this long (a few scrypts' time, rounded up). */
const FULL_RETRY_MS = 1000;

export class LoginQueue {
  private readonly options: LoginQueueOptions;
  /** Per turn key: attempts in flight, and the end of the last one's turn. */
  private readonly turns = new Map<string, { inFlight: number; tail: Promise<void> }>();
  /** Attempts admitted and not finished, and of those, the ones running their scrypt. */
  private admitted = 0;
  private running = 0;
  /** Names whose password a scrypt is checking now: one at a time per name. */
  private readonly checking = new Set<string>();
  /** Scrypts waiting for a slot, in arrival order. */
  private readonly slotWaiters: { name: string; first: boolean; start: () => void }[] = [];

  constructor(options: LoginQueueOptions) {
    this.options = options;
  }

  /** Attempts admitted that are not running a scrypt (tests, metrics). */
  get waiting(): number {
    return this.admitted - this.running;
  }

  /**
   * Runs `turn` when no other attempt of `key` is in flight; refuses at once (503) when too
   * many attempts wait, or (429) when too many are in flight for this key. `turn` runs its
   * scrypt through `withSlot`.
   */
  async inTurn<T>(key: string, turn: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.options.maxWaiting) {
      throw unavailable("too many logins are being checked: try again shortly", FULL_RETRY_MS);
    }
    const entry = this.turns.get(key) ?? { inFlight: 0, tail: Promise.resolve() };
    if (entry.inFlight >= this.options.maxPerKey) throw rateLimited("too many logins for this user name at once: try again shortly", 1000);
    this.turns.set(key, entry);
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
      if (--entry.inFlight === 0) this.turns.delete(key);
    }
  }

  /**
   * Runs `work` (a scrypt of `name`'s password) in one of the few slots, while no other scrypt
   * checks that name. For a free slot, an attempt from an address without recent failures
   * (`first`) goes ahead of the rest: an agent logging in during a flood waits for the scrypts
   * under way, not the flood's line. Only a running scrypt holds its name, so an attempt waiting
   * at the back of the line never holds up another for the same name.
   */
  async withSlot<T>(name: string, work: () => Promise<T>, first = false): Promise<T> {
    if (this.running < this.options.running && !this.checking.has(name)) this.begin(name);
    else await new Promise<void>((start) => this.slotWaiters.push({ name, first, start }));
    try {
      return await work();
    } finally {
      this.running--;
      this.checking.delete(name);
      this.startWaiting();
    }
  }

  private begin(name: string): void {
    this.running++;
    this.checking.add(name);
  }

  /** Fills free slots from the line: the first `first` waiter whose name is free, else the first such waiter. */
  private startWaiting(): void {
    while (this.running < this.options.running) {
      let pick = -1;
      for (const [i, waiter] of this.slotWaiters.entries()) {
        if (this.checking.has(waiter.name)) continue;
        if (waiter.first) {
          pick = i;
          break;
        }
        if (pick < 0) pick = i;
      }
      const next = pick < 0 ? undefined : this.slotWaiters.splice(pick, 1)[0];
      if (next === undefined) return;
      this.begin(next.name);
      next.start();
    }
  }
}

/**
 * Group commit for SQLite. One connection writes, so concurrent transactions queue anyway;
 * committing each one alone costs a WAL append (and, now and then, a checkpoint) per request.
 * Instead, every transaction requested in the same event-loop turn runs inside one SQLite
 * transaction, each in its own savepoint so one failure rolls back only its own work, and all
 * of them resolve after the single COMMIT: nothing is acknowledged before it is committed.
 *
 * Units run one after another, never interleaved, so each sees the writes of those before it,
 * exactly as if they had been separate transactions in that order.
 *
 * Failures are rare (requests are validated before their transaction starts), so a batch first
 * runs without savepoints. If any unit throws, that attempt is rolled back whole and the batch
 * runs again with a savepoint per unit. Units only touch the database, so running one again
 * after a rollback is safe.
 */
import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** What the units of one batch share: the transaction, wrapped once for the whole batch. */
type Scope<S> = (trx: Kysely<Database>) => S;

type Unit<S> = {
  work: (scope: S) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Upper bound on units per commit, so one commit never holds the connection for long. */
const MAX_BATCH = 256;

const SAVEPOINT = CompiledQuery.raw("savepoint unit");
const RELEASE = CompiledQuery.raw("release unit");
const ROLLBACK_TO = CompiledQuery.raw("rollback to unit");

export class GroupCommit<S> {
  private readonly db: Kysely<Database>;
  private readonly scope: Scope<S>;
  private queue: Unit<S>[] = [];
  private scheduled = false;

  constructor(db: Kysely<Database>, scope: Scope<S>) {
    this.db = db;
    this.scope = scope;
  }

  run<T>(work: (scope: S) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) setImmediate(() => void this.flush());
    else this.scheduled = false;
    if (await this.commitAll(batch)) return;
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const scope = this.scope(trx);
        const results: Outcome[] = [];
        for (const unit of batch) results.push(await runInSavepoint(trx, scope, unit));
        return results;
      });
    } catch (err) {
      // The COMMIT itself failed: nothing of this batch is durable.
      for (const unit of batch) unit.reject(err);
      return;
    }
    batch.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) unit.resolve(outcome.value);
      else unit.reject(outcome?.error);
    });
  }

  /** The fast path: all units in one transaction, no savepoints. False when one of them threw. */
  private async commitAll(batch: Unit<S>[]): Promise<boolean> {
    let values: unknown[];
    try {
      values = await this.db.transaction().execute(async (trx) => {
        const scope = this.scope(trx);
        const results: unknown[] = [];
        for (const unit of batch) results.push(await unit.work(scope));
        return results;
      });
    } catch (err) {
      if (batch.length > 1) return false;
      batch[0]?.reject(err);
      return true;
    }
    for (const [i, unit] of batch.entries()) unit.resolve(values[i]);
    return true;
  }
}

async function runInSavepoint<S>(trx: Kysely<Database>, scope: S, unit: Unit<S>): Promise<Outcome> {
  await trx.executeQuery(SAVEPOINT);
  try {
    const value = await unit.work(scope);
    await trx.executeQuery(RELEASE);
    return { ok: true, value };
  } catch (error) {
    await trx.executeQuery(ROLLBACK_TO);
    await trx.executeQuery(RELEASE);
    return { ok: false, error };
  }
}

/**
 * Hot queries compiled once. Building and compiling a Kysely query costs a few microseconds
 * each time; for the statements every request runs, the SQL text is compiled once per dialect
 * and only the parameters change. Kept for the few queries a profile shows are worth it.
 *
 * A database may also register a direct reader for its root Kysely instance (SQLite does, see
 * store/sqlite.ts): a read-only statement then runs at once, synchronously, when no transaction
 * is open on the connection, instead of through Kysely's executor, connection provider and
 * connection lock (about ten nested awaits, 5 µs of a 7 µs read). It reads exactly what the
 * Kysely path would: the committed state. Inside a transaction (a `trx` instance, or while one
 * is open on the connection) the Kysely path runs, and waits its turn as before.
 *
 * A database may register a direct runner for a transaction's Kysely instance too (SQLite does
 * for its group commit's transactions): every compiled statement of that transaction, reads and
 * writes, then runs at once on the connection the transaction holds, as Kysely would run it there,
 * without the executor's nested awaits (a chat message runs five or six such statements).
 */
import type { CompiledQuery, Kysely } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Rows of a statement run now, or undefined for the Kysely path. A reader on a root instance runs
 * read-only statements with no transaction open; a runner on a transaction's runs any statement
 * while its transaction is open.
 */
export type DirectReader = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

/** Rows a write statement run now changed, or undefined for the Kysely path (see DirectReader). */
export type DirectWriter = (sql: string, parameters: readonly unknown[]) => number | undefined;

const compiled = new Map<string, CompiledQuery>();
const directReaders = new WeakMap<Kysely<Database>, DirectReader>();
const directWriters = new WeakMap<Kysely<Database>, DirectWriter>();

/** Lets runPrepared read through `reader` on this (root, non-transaction) Kysely instance. */
export function registerDirectReader(db: Kysely<Database>, reader: DirectReader): void {
  directReaders.set(db, reader);
}

/** Lets runPrepared run every statement through `runner` on this transaction's Kysely instance. */
export function registerTransactionRunner(trx: Kysely<Database>, runner: DirectReader): void {
  directReaders.set(trx, runner);
}

/** Lets runPreparedWrite run writes through `writer` on this transaction's Kysely instance. */
export function registerTransactionWriter(trx: Kysely<Database>, writer: DirectWriter): void {
  directWriters.set(trx, writer);
}

/**
 * Runs the write `build(db)` compiled once per dialect and name; returns how many rows it changed.
 * For a conditional write whose caller needs to know whether it happened: SQLite's RETURNING
 * makes an UPDATE several times slower than the same statement counting its changes.
 */
export async function runPreparedWrite(
  db: Kysely<Database>,
  dialect: string,
  name: string,
  build: (db: Kysely<Database>) => { compile(): CompiledQuery },
  parameters: readonly unknown[],
): Promise<number> {
  const query = compiledOnce(db, `${dialect}:${name}`, build);
  const direct = directWriters.get(db)?.(query.sql, parameters);
  if (direct !== undefined) return direct;
  const result = await db.executeQuery({ ...query, parameters });
  return Number(result.numAffectedRows ?? 0n);
}

function compiledOnce<R>(db: Kysely<Database>, key: string, build: (db: Kysely<Database>) => { compile(): CompiledQuery<R> }): CompiledQuery<R> {
  let query = compiled.get(key) as CompiledQuery<R> | undefined;
  if (query === undefined) {
    query = build(db).compile();
    compiled.set(key, query);
  }
  return query;
}

/** Runs `build(db)` compiled once per dialect and name, with these parameters in its order. */
export async function runPrepared<R>(
  db: Kysely<Database>,
  dialect: string,
  name: string,
  build: (db: Kysely<Database>) => { compile(): CompiledQuery<R> },
  parameters: readonly unknown[],
): Promise<R[]> {
  const query = compiledOnce(db, `${dialect}:${name}`, build);
  const direct = directReaders.get(db)?.(query.sql, parameters);
  if (direct !== undefined) return direct as R[];
  const result = await db.executeQuery<R>({ ...query, parameters });
  return result.rows;
}

/**
 * Opens the embedded SQLite store (the default). The only file that imports better-sqlite3.
 *
 * WAL with `synchronous=NORMAL` keeps every committed transaction through a crash of the process
 * (kill -9): a commit is in the WAL file before the call returns. `SQLITE_SYNCHRONOUS=full` also
 * fsyncs each commit, for power loss, at the cost of write throughput.
 *
 * The file belongs to one parley process (SQLite is the single-node store), so it is opened
 * with `locking_mode=EXCLUSIVE`: SQLite then keeps the WAL index in process memory and skips
 * the shared-memory locking on every statement (reads take about half the time). A second
 * process opening the same file is refused with "database is locked" instead of sharing it.
 */
import { mkdirSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import type { SqliteSync } from "../config.ts";
import { migrate } from "./migrations/index.ts";
import { registerDirectReader, type DirectReader, type DirectWriter } from "./sql/prepared.ts";
import { ServiceCache } from "./sql/service-cache.ts";
import type { Database } from "./sql/schema.ts";
import { SqlStore } from "./sql/store.ts";
import { PARTIAL_SUFFIX } from "../domain/backups.ts";
import { BackupRefused, StoreOpenError, type DatabaseCopy } from "./store.ts";

/** Prepared statements are reused: Kysely prepares on every query and parsing SQL is not free. */
const STATEMENT_CACHE_LIMIT = 500;

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  synchronous: SqliteSync;
  /** Memory for services kept after a read (see sql/service-cache.ts); 0 keeps none. */
  serviceCacheBytes?: number;
}

/** What `serviceCacheBytes` is when not given, as CS_SERVICE_CACHE_MB's default. */
const DEFAULT_SERVICE_CACHE_BYTES = 32 * 1024 * 1024;

export async function openSqliteStore(options: SqliteOptions): Promise<SqlStore> {
  const raw = openFile(options.path);
  try {
    raw.pragma("locking_mode = EXCLUSIVE");
    // Another process holding the file holds it for its life (exclusive mode): waiting is useless.
    raw.pragma("busy_timeout = 0");
    raw.pragma("journal_mode = WAL");
    raw.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    await migrate(db as Kysely<unknown>, "sqlite");
    registerDirectReader(db, directReader(raw));
    const cacheBytes = options.serviceCacheBytes ?? DEFAULT_SERVICE_CACHE_BYTES;
    const serviceCache = cacheBytes > 0 ? forgetOnChange(raw, new ServiceCache(cacheBytes)) : undefined;
    raw.pragma("busy_timeout = 5000");
    const backup = backups(raw, options.path);
    return new SqlStore(db, {
      dialect: "sqlite",
      isUniqueViolation,
      groupCommit: true,
      serviceCache,
      backup,
      transactionRunner: transactionRunner(raw),
      transactionWriter: transactionWriter(raw),
    });
  } catch (err) {
    raw.close();
    throw openProblem(options.path, err);
  }
}

function openFile(path: string): BetterSqlite3.Database {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    return new BetterSqlite3(path);
  } catch (err) {
    throw openProblem(path, err);
  }
}

/** What went wrong opening the file, in one line an operator can act on. */
function openProblem(path: string, err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "SQLITE_BUSY" || /database is locked/.test(message)) {
    return new StoreOpenError(`${path} is held by another process (another parley on the same file?): stop it, or set DATABASE_URL to another file`);
  }
  if (typeof code === "string" && /^(EACCES|EPERM|ENOTDIR|EROFS|EEXIST)$/.test(code)) {
    return new StoreOpenError(`cannot create the directory of ${path} (${code}): make it writable, or set DATABASE_URL to a path parley can write`);
  }
  if (code === "SQLITE_CANTOPEN" || code === "SQLITE_READONLY" || /unable to open database file|readonly database/.test(message)) {
    return new StoreOpenError(
      `cannot open ${path} for writing (${message}): make it and its directory writable, or set DATABASE_URL to a path parley can write`,
    );
  }
  return err instanceof Error ? err : new Error(message);
}

function withStatementCache(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement === undefined) {
        if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
        statement = raw.prepare(sql) as unknown as SqliteStatement;
        cache.set(sql, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
}

/**
 * Runs a read-only statement at once when no transaction is open on the connection (the
 * committed state, as a read through Kysely would see after its turn); see sql/prepared.ts.
 */
function directReader(raw: BetterSqlite3.Database): DirectReader {
  const reads = new Map<string, RawRead | null>();
  return (sql, parameters) => {
    if (raw.inTransaction) return undefined;
    let read = reads.get(sql);
    if (read === undefined) {
      if (reads.size >= STATEMENT_CACHE_LIMIT) reads.clear();
      read = prepareRawRead(raw, sql);
      reads.set(sql, read);
    }
    return read === null ? undefined : read.statement.all(parameters).map(read.toRow);
  };
}

/**
 * Runs any statement at once inside the open transaction (a group commit's: the file's one
 * connection is held by it, so the statement runs in it exactly as through Kysely); see
 * sql/prepared.ts. A write answers no rows, as Kysely's `rows` of one without RETURNING.
 */
function transactionRunner(raw: BetterSqlite3.Database): DirectReader {
  const statements = new Map<string, RawRead | BetterSqlite3.Statement<unknown[], unknown>>();
  return (sql, parameters) => {
    if (!raw.inTransaction) return undefined;
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE_LIMIT) statements.clear();
      statement = prepareRawRead(raw, sql) ?? raw.prepare<unknown[], unknown>(sql);
      statements.set(sql, statement);
    }
    if ("toRow" in statement) return statement.statement.all(parameters).map(statement.toRow);
    statement.run(parameters);
    return [];
  };
}

/** Runs a write at once inside the open transaction, as transactionRunner does, and answers the rows it changed. */
function transactionWriter(raw: BetterSqlite3.Database): DirectWriter {
  const statements = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();
  return (sql, parameters) => {
    if (!raw.inTransaction) return undefined;
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE_LIMIT) statements.clear();
      statement = raw.prepare<unknown[], unknown>(sql);
      statements.set(sql, statement);
    }
    return statement.run(parameters).changes;
  };
}

/** A read-only statement answering arrays, and the builder of a row object from one. */
type RawRead = { statement: BetterSqlite3.Statement<unknown[], unknown[]>; toRow: (values: unknown[]) => Record<string, unknown> };

/**
 * Rows as arrays, turned into objects by a function made for the statement's columns. A profile
 * under load shows better-sqlite3's own object rows, built key by key through V8's native API
 * (a string-table lookup and a shape change per column), costing more than the query itself;
 * an object literal of fixed keys gets every row its final shape at once.
 */
function prepareRawRead(raw: BetterSqlite3.Database, sql: string): RawRead | null {
  const statement = raw.prepare<unknown[], unknown[]>(sql);
  if (!statement.reader) return null;
  const fields = statement.columns().map((column, i) => `${JSON.stringify(column.name)}: values[${i}]`);
  const toRow = new Function("values", `return { ${fields.join(", ")} };`) as RawRead["toRow"];
  return { statement: statement.raw(true), toRow };
}

/**
 * Every UPDATE or DELETE of a services row, by any statement on this connection (the only one:
 * the file is held exclusively), makes the cache forget that service, inside the statement.
 * Temporary triggers live in this connection only and leave the file as it was. No INSERT
 * trigger: ids come from AUTOINCREMENT, never reused, so a new row cannot be in the cache.
 */
function forgetOnChange(raw: BetterSqlite3.Database, cache: ServiceCache): ServiceCache {
  raw.function("parley_service_changed", { deterministic: false }, (id) => {
    cache.forget(String(id));
    return null;
  });
  for (const event of ["UPDATE", "DELETE"]) {
    raw.exec(`CREATE TEMP TRIGGER parley_service_${event.toLowerCase()} AFTER ${event} ON main.services BEGIN SELECT parley_service_changed(OLD.id); END`);
  }
  return cache;
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/**
 * Pages one backup step copies (1 MiB at SQLite's default 4 KiB page): milliseconds of work, then
 * the event loop, and so every writer, has its turn before the next step.
 */
const BACKUP_STEP_PAGES = 256;
/** Copies started again because a step met an open transaction, before the backup gives up (503). */
const BACKUP_ATTEMPTS = 5;
/** Event-loop turns a copy waits for the connection to be out of a transaction before it starts anyway. */
const SETTLE_TURNS = 10_000;

/**
 * Backups of the file at `path`, one at a time, into `backups/` beside it, with SQLite's online
 * backup on this connection (the only one: the file is held exclusively). The copy is taken in
 * steps between which writers go on; a commit on this connection updates the pages already
 * copied, so the copy is the committed state when its last step ran.
 */
function backups(raw: BetterSqlite3.Database, path: string): (fileName: string) => Promise<DatabaseCopy> {
  let running = false;
  return async (fileName) => {
    if (path === ":memory:") throw new BackupRefused("memory", "the database is in memory (DATABASE_URL=sqlite::memory:): there is no file to copy");
    if (running) throw new BackupRefused("busy", "another backup is under way: try again when it has finished");
    running = true;
    try {
      return await writeBackup(raw, join(dirname(path), "backups"), fileName);
    } finally {
      running = false;
    }
  };
}

async function writeBackup(raw: BetterSqlite3.Database, dir: string, fileName: string): Promise<DatabaseCopy> {
  await mkdir(dir, { recursive: true });
  const target = resolve(dir, fileName);
  const taken = await stat(target).then(
    () => true,
    () => false,
  );
  if (taken) throw new BackupRefused("exists", `a backup named ${fileName} already exists`);
  const partial = `${target}${PARTIAL_SUFFIX}`;
  try {
    for (let attempt = 0; attempt < BACKUP_ATTEMPTS; attempt++) {
      await rm(partial, { force: true });
      if (!(await copyOnce(raw, partial))) continue;
      await fsync(partial);
      await rename(partial, target);
      await fsync(dir);
      return { path: target, bytes: (await stat(target)).size };
    }
  } finally {
    await rm(partial, { force: true });
    await rm(`${partial}-journal`, { force: true });
  }
  throw new BackupRefused("unsettled", "the database was in a transaction at every attempt: try again");
}

/**
 * One copy into `to`; false when a step ran while this connection was in a transaction (a
 * group commit awaiting something other than the database). SQLite then refuses the step
 * (SQLITE_LOCKED), and better-sqlite3 reports a refused first step as a finished backup of
 * nothing: such a copy is never kept.
 */
async function copyOnce(raw: BetterSqlite3.Database, to: string): Promise<boolean> {
  for (let turn = 0; raw.inTransaction && turn < SETTLE_TURNS; turn++) await nextTurn();
  let clean = !raw.inTransaction;
  const flusher = new BackgroundFlush(to);
  try {
    await raw.backup(to, {
      progress: () => {
        if (raw.inTransaction) clean = false;
        flusher.kick();
        return BACKUP_STEP_PAGES;
      },
    });
    // The last step ran in the turn that resolved the backup, and nothing else has run since.
    return clean && !raw.inTransaction;
  } finally {
    await flusher.done();
  }
}

/**
 * Flushes the copy to the disk off the event loop while it is written. SQLite's last step
 * fsyncs the copy on the event loop's thread (its own connection to it is synchronous=FULL);
 * flushed as it grows, little is left for that fsync (measured: a 52 MB copy's last step took
 * 500-700 ms on a busy disk without this).
 */
class BackgroundFlush {
  private readonly path: string;
  private running: Promise<void> | null = null;

  constructor(path: string) {
    this.path = path;
  }

  /** Starts a flush of what the copy holds so far, unless one is under way. */
  kick(): void {
    if (this.running !== null) return;
    this.running = fsync(this.path)
      .catch(() => {})
      .finally(() => {
        this.running = null;
      });
  }

  async done(): Promise<void> {
    await this.running;
  }
}

/** Flushes a file (or a directory: the entry of a renamed file) to the disk. */
async function fsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens the PostgreSQL store (for several nodes). The only file that imports pg.
 * Tables live in `schema` (created when missing), so test runs and deployments can share a
 * database without colliding.
 */
import pg from "pg";
import { Kysely, PostgresDialect } from "kysely";
import { migrate } from "./migrations/index.ts";
import type { Database } from "./sql/schema.ts";
import { SqlStore } from "./sql/store.ts";

const INT8_OID = 20;

export interface PostgresOptions {
  url: string;
  schema: string;
  /** Connections per node. */
  poolSize?: number;
}

export async function openPostgresStore(options: PostgresOptions): Promise<SqlStore> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${options.schema}`,
    types: { getTypeParser: typeParser },
  });
  try {
    await pool.query(`create schema if not exists "${options.schema}"`);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrate(db as Kysely<unknown>, "postgres");
    return new SqlStore(db, { dialect: "postgres", isUniqueViolation });
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** int8 (ids, epoch milliseconds) as numbers; per pool, so no global parser is changed. */
function typeParser(oid: number, format?: "text" | "binary") {
  if (oid === INT8_OID) return (value: string) => Number(value);
  return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "23505";
}

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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await whileHoldingSetupLock(pool, options.schema, async (client) => {
      await client.query(`create schema if not exists "${options.schema}"`);
      await migrate(db as Kysely<unknown>, "postgres", options.schema);
    });
    return new SqlStore(db, { dialect: "postgres", isUniqueViolation });
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/**
 * Nodes started together (an orchestrator starts replicas at once) would race to create the
 * schema (`pg_namespace_nspname_index` violation) and the migration tables: one session
 * advisory lock per schema serialises them, and the nodes after the first find it all done.
 */
async function whileHoldingSetupLock(pool: pg.Pool, schema: string, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  const key = `parley setup ${schema}`;
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [key]);
    try {
      await work(client);
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", [key]);
    }
  } finally {
    client.release();
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

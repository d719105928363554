/**
 * Opens the PostgreSQL store (for several nodes). The only file that imports pg.
 * Tables live in `schema` (created when missing), so test runs and deployments can share a
 * database without colliding.
 */
import { createHash } from "node:crypto";
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
    const listeners = new FeedListeners(options.url);
    const feed = { channel: feedChannel(options.schema), listen: listeners.listen };
    return new SqlStore(db, { dialect: "postgres", isUniqueViolation, feed, onClose: () => listeners.close() });
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** The commit feed's NOTIFY channel: one per schema (channels are per database), a plain identifier under 63 bytes. */
function feedChannel(schema: string): string {
  return `parley_feed_${createHash("sha256").update(schema).digest("hex").slice(0, 24)}`;
}

/** How long a lost LISTEN connection waits before it is opened again. */
const RELISTEN_DELAY_MS = 1000;

/**
 * LISTEN connections, one per listener, outside the pool (a pooled connection would be handed
 * to queries). A connection lost (PostgreSQL restarted, a network cut) is opened again after a
 * second, for as long as the store is open.
 */
class FeedListeners {
  private readonly url: string;
  private readonly stops = new Set<() => Promise<void>>();

  constructor(url: string) {
    this.url = url;
  }

  listen = async (channel: string, handler: (payload: string) => void, onTrouble: (err: Error) => void): Promise<() => Promise<void>> => {
    let client: pg.Client | null = null;
    let stopped = false;
    let retry: NodeJS.Timeout | null = null;
    const open = async (): Promise<void> => {
      const next = new pg.Client({ connectionString: this.url });
      next.on("notification", (message) => {
        if (message.channel === channel && message.payload !== undefined) handler(message.payload);
      });
      next.on("error", (err: Error) => lost(next, err));
      next.on("end", () => lost(next, new Error("LISTEN connection ended")));
      client = next;
      await next.connect();
      await next.query(`listen "${channel}"`);
    };
    const lost = (which: pg.Client, err: Error): void => {
      if (stopped || client !== which || retry !== null) return;
      onTrouble(err);
      client = null;
      which.end().catch(() => {});
      retry = setTimeout(() => {
        retry = null;
        if (!stopped) open().catch((e: unknown) => lost(client ?? which, e instanceof Error ? e : new Error(String(e))));
      }, RELISTEN_DELAY_MS);
      retry.unref();
    };
    await open();
    const stop = async (): Promise<void> => {
      stopped = true;
      if (retry !== null) clearTimeout(retry);
      this.stops.delete(stop);
      const last = client;
      client = null;
      await last?.end().catch(() => {});
    };
    this.stops.add(stop);
    return stop;
  };

  async close(): Promise<void> {
    await Promise.all([...this.stops].map((stop) => stop()));
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

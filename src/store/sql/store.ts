/**
 * The Store over Kysely: one implementation of every aggregate's SQL for both databases.
 * `store/sqlite.ts` and `store/postgres.ts` only open a connection and hand it here.
 */
import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Store } from "../store.ts";
import { SqlStateStore, SqlTaskStore } from "./children.ts";
import { SqlCustomerStore } from "./customers.ts";
import { SqlInteractionStore } from "./interactions.ts";
import type { Database } from "./schema.ts";
import { SqlServiceStore } from "./services.ts";

export interface SqlStoreOptions {
  dialect: "sqlite" | "postgres";
  /** Recognises the driver's unique-constraint error, so the store can translate it. */
  isUniqueViolation: (err: unknown) => boolean;
  /** Releases the connection(s) after Kysely is destroyed. */
  onClose?: () => Promise<void>;
}

export class SqlStore implements Store {
  readonly dialect: "sqlite" | "postgres";
  readonly services: SqlServiceStore;
  readonly states: SqlStateStore;
  readonly tasks: SqlTaskStore;
  readonly customers: SqlCustomerStore;
  readonly interactions: SqlInteractionStore;
  private readonly db: Kysely<Database>;
  private readonly options: SqlStoreOptions;
  private readonly inTransaction: boolean;

  constructor(db: Kysely<Database>, options: SqlStoreOptions, inTransaction = false) {
    this.db = db;
    this.options = options;
    this.inTransaction = inTransaction;
    this.dialect = options.dialect;
    this.services = new SqlServiceStore(db, options.dialect === "postgres");
    this.states = new SqlStateStore(db);
    this.tasks = new SqlTaskStore(db);
    this.customers = new SqlCustomerStore(db, options.isUniqueViolation);
    this.interactions = new SqlInteractionStore(db);
  }

  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new SqlStore(trx, this.options, true)));
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.options.onClose?.();
  }
}

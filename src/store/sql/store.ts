/**
 * The Store over Kysely: one implementation of every aggregate's SQL for both databases.
 * `store/sqlite.ts` and `store/postgres.ts` only open a connection and hand it here.
 */
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { BackupRefused, type DatabaseCopy, type Store } from "../store.ts";
import { SqlStateStore, SqlTaskStore } from "./steps.ts";
import { SqlCustomerStore } from "./customers.ts";
import { SqlHistoryStore } from "./history.ts";
import { GroupCommit } from "./group-commit.ts";
import { registerTransactionRunner, registerTransactionWriter, type DirectReader, type DirectWriter } from "./prepared.ts";
import type { Database } from "./schema.ts";
import { SqlServiceStore } from "./services.ts";
import type { ServiceCache } from "./service-cache.ts";
import { SqlAgentChannelStore, SqlUserSessionStore, SqlUserStore } from "./users.ts";
import { SqlAgentInteractionStore, SqlQueueStore } from "./agent-interactions.ts";
import { SqlChatStore } from "./chat.ts";
import { SqlAgentPresenceStore } from "./agent-presence.ts";
import { SqlLastAgentStore } from "./last-agents.ts";
import { SqlMetadataStore } from "./metadata.ts";
import { SqlAgentStateLogStore, SqlWrapUpStore } from "./agent-statistics.ts";
import { SqlCommitFeed, type FeedSettings } from "./feed.ts";

export interface SqlStoreOptions {
  dialect: "sqlite" | "postgres";
  /** Recognises the driver's unique-constraint error, so the store can translate it. */
  isUniqueViolation: (err: unknown) => boolean;
  /** Releases the connection(s) after Kysely is destroyed. */
  onClose?: () => Promise<void>;
  /** Commit concurrent transactions together (SQLite: one writer, see group-commit.ts). */
  groupCommit?: boolean;
  /** Services kept in memory after a read (SQLite: one writer, see service-cache.ts). */
  serviceCache?: ServiceCache;
  /** The commit feed's channel and listener (PostgreSQL). */
  feed?: FeedSettings;
  /** Writes a consistent copy of the database (SQLite: its driver's backup, see sqlite.ts); absent on PostgreSQL. */
  backup?: (fileName: string) => Promise<DatabaseCopy>;
  /** Runs a transaction's prepared statements on its connection at once (SQLite: see prepared.ts). */
  transactionRunner?: DirectReader;
  /** Runs a transaction's prepared writes on its connection at once, answering the rows changed (SQLite). */
  transactionWriter?: DirectWriter;
}

export class SqlStore implements Store {
  readonly dialect: "sqlite" | "postgres";
  readonly services: SqlServiceStore;
  readonly states: SqlStateStore;
  readonly tasks: SqlTaskStore;
  readonly customers: SqlCustomerStore;
  readonly history: SqlHistoryStore;
  readonly users: SqlUserStore;
  readonly userSessions: SqlUserSessionStore;
  readonly agentChannels: SqlAgentChannelStore;
  readonly agentPresence: SqlAgentPresenceStore;
  readonly queues: SqlQueueStore;
  readonly agentInteractions: SqlAgentInteractionStore;
  readonly wrapUps: SqlWrapUpStore;
  readonly agentStateLog: SqlAgentStateLogStore;
  readonly lastAgents: SqlLastAgentStore;
  readonly chats: SqlChatStore;
  readonly metadata: SqlMetadataStore;
  readonly feed: SqlCommitFeed;
  private readonly db: Kysely<Database>;
  private readonly options: SqlStoreOptions;
  private readonly inTransaction: boolean;
  private readonly group: GroupCommit<SqlStore> | null;

  constructor(db: Kysely<Database>, options: SqlStoreOptions, inTransaction = false) {
    this.db = db;
    this.options = options;
    this.inTransaction = inTransaction;
    if (inTransaction && options.transactionRunner !== undefined) registerTransactionRunner(db, options.transactionRunner);
    if (inTransaction && options.transactionWriter !== undefined) registerTransactionWriter(db, options.transactionWriter);
    this.group = options.groupCommit === true && !inTransaction ? new GroupCommit(db, (trx) => new SqlStore(trx, options, true)) : null;
    this.dialect = options.dialect;
    this.services = new SqlServiceStore(db, options.dialect, inTransaction ? null : (options.serviceCache ?? null));
    this.states = new SqlStateStore(db);
    this.tasks = new SqlTaskStore(db);
    this.customers = new SqlCustomerStore(db, options.isUniqueViolation);
    this.history = new SqlHistoryStore(db);
    this.users = new SqlUserStore(db, options.dialect, options.isUniqueViolation);
    this.userSessions = new SqlUserSessionStore(db, options.dialect);
    this.agentChannels = new SqlAgentChannelStore(db, options.dialect);
    this.agentPresence = new SqlAgentPresenceStore(db);
    this.queues = new SqlQueueStore(db, options.dialect, options.isUniqueViolation);
    this.agentInteractions = new SqlAgentInteractionStore(db, options.dialect);
    this.wrapUps = new SqlWrapUpStore(db, options.dialect);
    this.agentStateLog = new SqlAgentStateLogStore(db);
    this.lastAgents = new SqlLastAgentStore(db);
    this.chats = new SqlChatStore(db, options.dialect, options.isUniqueViolation);
    this.metadata = new SqlMetadataStore(db, options.isUniqueViolation);
    this.feed = new SqlCommitFeed(db, options.feed ?? null);
  }

  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    if (this.group !== null) return this.group.run(work);
    return this.db.transaction().execute((trx) => work(new SqlStore(trx, this.options, true)));
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async backup(fileName: string): Promise<DatabaseCopy> {
    if (this.options.backup === undefined) {
      throw new BackupRefused("postgres", "the database is PostgreSQL: back it up with pg_dump (see the README, Backups)");
    }
    // The copy waits for the connection to be out of a transaction: from inside one it never would be.
    if (this.inTransaction) throw new Error("a backup cannot be made inside a transaction");
    return this.options.backup(fileName);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.options.onClose?.();
  }
}

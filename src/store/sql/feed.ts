/**
 * The commit feed (see CommitFeed in store.ts): `pg_notify` inside the transaction, so
 * PostgreSQL sends it on commit and never on rollback. Listening needs a connection of its own,
 * which postgres.ts (the only importer of pg) opens and hands in; SQLite has neither.
 */
import { sql, type Kysely } from "kysely";
import type { CommitFeed } from "../store.ts";
import type { Database } from "./schema.ts";

/** How a driver listens on a channel: resolves once listening, to what stops it. */
type FeedListener = (channel: string, handler: (payload: string) => void, onTrouble: (err: Error) => void) => Promise<() => Promise<void>>;

export interface FeedSettings {
  /** The NOTIFY channel: one per schema, as nodes share a schema, and test runs a database. */
  channel: string;
  listen: FeedListener;
}

export class SqlCommitFeed implements CommitFeed {
  private readonly db: Kysely<Database>;
  private readonly settings: FeedSettings | null;

  constructor(db: Kysely<Database>, settings: FeedSettings | null) {
    this.db = db;
    this.settings = settings;
  }

  async send(payload: string): Promise<void> {
    await sql`select pg_notify(${this.required().channel}, ${payload})`.execute(this.db);
  }

  async listen(handler: (payload: string) => void, onTrouble: (err: Error) => void): Promise<() => Promise<void>> {
    const settings = this.required();
    return settings.listen(settings.channel, handler, onTrouble);
  }

  private required(): FeedSettings {
    if (this.settings === null) throw new Error("this database has no commit feed (SQLite serves one node)");
    return this.settings;
  }
}

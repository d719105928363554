/**
 * The configured database, opened and migrated: SQLite for a `sqlite:` URL, PostgreSQL
 * otherwise. The app and the operator CLI both open it here; the CLI imports nothing else of
 * the server, so a command starts in a moment.
 */
import type { Config } from "../config.ts";
import { openPostgresStore } from "./postgres.ts";
import { openSqliteStore } from "./sqlite.ts";
import type { Store } from "./store.ts";

export type StoreSettings = Pick<Config, "databaseUrl" | "databaseSchema" | "sqliteSynchronous" | "serviceCacheBytes">;

export function openStore(settings: StoreSettings): Promise<Store> {
  if (settings.databaseUrl.startsWith("sqlite:")) {
    return openSqliteStore({
      path: settings.databaseUrl.slice("sqlite:".length),
      synchronous: settings.sqliteSynchronous,
      serviceCacheBytes: settings.serviceCacheBytes,
    });
  }
  return openPostgresStore({ url: settings.databaseUrl, schema: settings.databaseSchema });
}

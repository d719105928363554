/**
 * Versioned migrations, run at start by `migrate()`. Add a file `NNN-name.ts` exporting
 * `up(db, dialect)` and list it below; never edit one that has shipped.
 */
import { Migrator, type Kysely, type Migration } from "kysely";
import * as contextServices from "./001-context-services.ts";
import * as users from "./002-users.ts";
import * as agentInteractions from "./003-agent-interactions.ts";
import * as chat from "./004-chat.ts";
import * as metadata from "./005-metadata.ts";
import * as chatLimits from "./006-chat-limits.ts";
import * as chatV2 from "./007-chat-v2.ts";
import * as clientMessageIds from "./008-client-message-ids.ts";
import * as agentPresence from "./009-agent-presence.ts";
import * as routingLoad from "./010-routing-load.ts";
import * as agentStatistics from "./011-agent-statistics.ts";
import * as queueStatistics from "./012-queue-statistics.ts";
import * as priority from "./013-priority.ts";
import type { Dialect } from "./dialect.ts";

interface MigrationModule {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const MIGRATIONS: Record<string, MigrationModule> = {
  "001-context-services": contextServices,
  "002-users": users,
  "003-agent-interactions": agentInteractions,
  "004-chat": chat,
  "005-metadata": metadata,
  "006-chat-limits": chatLimits,
  "007-chat-v2": chatV2,
  "008-client-message-ids": clientMessageIds,
  "009-agent-presence": agentPresence,
  "010-routing-load": routingLoad,
  "011-agent-statistics": agentStatistics,
  "012-queue-statistics": queueStatistics,
  "013-priority": priority,
};

/**
 * Brings the schema up to date; throws (and the process exits) when a migration fails.
 * PostgreSQL names its schema: Kysely looks for its migration tables in every schema of the
 * database unless told which, so another deployment (or test run) sharing the database would
 * make it skip creating them in this one and then fail to find them.
 */
export async function migrate(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, module] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (trx) => module.up(trx, dialect) };
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined || failed !== undefined) {
    const reason = error instanceof Error ? error.message : String(error ?? "");
    throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${reason}`);
  }
}

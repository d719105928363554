/**
 * Backups of the embedded SQLite database while parley runs (administrators). PostgreSQL is
 * backed up with its own tools (pg_dump), which the refusal says.
 */
import { requireRole } from "../access/users.ts";
import { backupFileName } from "../domain/backups.ts";
import { invalidState, unavailable } from "../domain/errors.ts";
import type { User } from "../domain/users.ts";
import { BackupRefused, type DatabaseCopy } from "../store/store.ts";
import type { ActionContext } from "./context.ts";

/** Writes a consistent copy of the database under `backups/` beside it; resolves once it is complete and durable. */
export async function backupDatabase(ctx: ActionContext, actor: User, name: string | undefined): Promise<DatabaseCopy> {
  requireRole(actor, "ROLE_ADMIN");
  const fileName = backupFileName(name, ctx.now());
  try {
    return await ctx.store.backup(fileName);
  } catch (err) {
    if (!(err instanceof BackupRefused)) throw err;
    // The database was never free of a transaction: a moment later it will be.
    if (err.reason === "unsettled") throw unavailable(err.message, 1000);
    throw invalidState(err.message);
  }
}

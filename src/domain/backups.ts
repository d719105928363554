/**
 * Backups of the embedded database: what a copy may be called. A client may name its copy, but
 * only with one plain file name (no directory, no leading dot), never one SQLite itself uses
 * beside a database (`-journal`, `-wal`, `-shm`) or the name a copy has while it is written.
 */
import { invalidInput } from "./errors.ts";

/** A name the client may give: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const RESERVED_SUFFIX = /(-journal|-wal|-shm|\.partial)$/;

/** Where a copy is written before it is complete (renamed to its name once durable). */
export const PARTIAL_SUFFIX = ".partial";

/** The client's name for a copy, checked; without one, `parley-<UTC time>.db`. */
export function backupFileName(requested: string | undefined, now: number): string {
  if (requested === undefined) return defaultBackupName(now);
  if (!BACKUP_NAME.test(requested) || RESERVED_SUFFIX.test(requested)) {
    throw invalidInput(
      "name: a file name of 1 to 100 letters, digits, . _ or - (starting with a letter or digit), not ending in -journal, -wal, -shm or .partial",
    );
  }
  return requested;
}

/** `parley-20261205T101112345Z.db`: sorts by time, and has no colon (awkward in file names). */
function defaultBackupName(now: number): string {
  return `parley-${new Date(now).toISOString().replace(/[-:.]/g, "")}.db`;
}

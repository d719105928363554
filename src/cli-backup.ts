/**
 * The operator CLI's `backup`: asks a running parley for a copy of its SQLite database
 * (`POST /api/v2/admin/backup`, as an administrator with HTTP Basic) and prints where it is.
 * It opens no database: the server holds its SQLite file exclusively, and makes the copy itself.
 */

export interface BackupOptions {
  /** The server's base URL, as the operator reaches it (`http://127.0.0.1:8080`). */
  url: string;
  user: string;
  /** A plain file name for the copy; the server's default (`parley-<UTC time>.db`) without. */
  name?: string;
}

interface BackupAnswer {
  path?: unknown;
  bytes?: unknown;
  errorDescription?: unknown;
}

/** Runs the backup; resolves to the exit status (2: a refusal or an unreachable server, said on standard error). */
export async function runBackupCommand(options: BackupOptions, password: string): Promise<number> {
  const endpoint = `${options.url.replace(/\/+$/, "")}/api/v2/admin/backup`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${options.user}:${password}`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify(options.name === undefined ? {} : { name: options.name }),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return fail(`cannot reach parley at ${endpoint} (${cause}): is it running there? (--url)`, 2);
  }
  const answer = (await response.json().catch(() => ({}))) as BackupAnswer;
  if (response.ok && typeof answer.path === "string") {
    process.stdout.write(`backup: ${answer.path} (${String(answer.bytes)} bytes)\n`);
    return 0;
  }
  const said = typeof answer.errorDescription === "string" ? answer.errorDescription : response.statusText;
  return fail(`backup refused (${response.status}): ${said}`, response.status < 500 ? 2 : 1);
}

function fail(message: string, code: number): number {
  process.stderr.write(`parley: ${message}\n`);
  return code;
}

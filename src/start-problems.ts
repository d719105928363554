/**
 * What stops a start that the operator must fix (PostgreSQL not reachable or refusing us, a port
 * in use), said in one line that names the setting, as configuration errors are. The server and
 * the CLI print these and exit with status 2; anything else is a bug and keeps its stack trace.
 */
import type { Config } from "./config.ts";

/** Errors of the network or of PostgreSQL's login that a setting or a running server fixes. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"]);

/** A password in DATABASE_URL: after the user name (up to the last `@`: the safe side) or in `?password=`. */
const URL_PASSWORD = /^([a-z]+:\/\/[^:@/?#]*:)(.*)@/i;
const QUERY_PASSWORD = /([?&]password=)([^&#]*)/gi;

/** A URL with credentials (DATABASE_URL, REDIS_URL) as it may be printed: its password replaced by `***`. */
export function printableUrl(url: string): string {
  return url.replace(URL_PASSWORD, "$1***@").replace(QUERY_PASSWORD, "$1***");
}

/**
 * The line to print when opening PostgreSQL failed for a reason outside parley (server down or
 * unknown, role or database missing, login refused); null for any other error.
 */
export function databaseProblem(config: Pick<Config, "databaseUrl">, err: unknown): string | null {
  if (config.databaseUrl.startsWith("sqlite:")) return null;
  const code = (err as { code?: unknown } | null)?.code;
  const where = `PostgreSQL at ${printableUrl(config.databaseUrl)}`;
  const reason = withoutSecrets(config.databaseUrl, err instanceof Error && err.message !== "" ? err.message : String(code));
  if (typeof code === "string" && UNREACHABLE.has(code)) {
    return `cannot reach ${where} (${reason}): start it, or set DATABASE_URL to a server this machine reaches`;
  }
  if (code === "3D000") return `${where} has no such database (${reason}): create it, or set DATABASE_URL to an existing database`;
  if ((typeof code === "string" && code.startsWith("28")) || /^SASL: /.test(reason)) {
    return `${where} refused the login (${reason}): set DATABASE_URL with a role and password it accepts`;
  }
  if (code === "57P03" || code === "53300") return `${where} takes no connection now (${reason}): try again, or check DATABASE_URL`;
  return null;
}

/** The line to print when the Redis bus could not be opened (REDIS_URL). */
export function busProblem(config: Pick<Config, "redisUrl">, reason: string): string {
  const url = config.redisUrl ?? "";
  return `cannot reach Redis at ${printableUrl(url)} (${withoutSecrets(url, reason)}): start it, or set REDIS_URL to a server this machine reaches (unset, one node needs none)`;
}

/** The line to print when a listener could not bind (PORT, HOST or OPS_BIND); null for any other error. */
export function listenProblem(config: Pick<Config, "port" | "host" | "opsBind">, err: unknown): string | null {
  const { code, port, address } = (err ?? {}) as { code?: unknown; port?: unknown; address?: unknown };
  if (code !== "EADDRINUSE" && code !== "EADDRNOTAVAIL" && code !== "EACCES") return null;
  const ops = config.opsBind !== null && port === config.opsBind.port;
  const setting = ops ? "OPS_BIND" : code === "EADDRNOTAVAIL" ? "HOST" : "PORT";
  const at = `${String(address)}:${String(port)}`;
  if (code === "EADDRINUSE") return `${at} is in use (another parley, or another server?): stop it, or set ${setting} to a free port`;
  if (code === "EACCES") return `${at} needs privileges to listen on (EACCES): set ${setting} to a port above 1023`;
  return `${at} is not an address of this machine (EADDRNOTAVAIL): set ${setting} to one of its addresses, or 0.0.0.0`;
}

/** A driver's message should never carry the password; if it ever did, it is not printed either. */
function withoutSecrets(url: string, message: string): string {
  const passwords = [URL_PASSWORD.exec(url)?.[2], ...[...url.matchAll(QUERY_PASSWORD)].map((m) => m[2])].filter(
    (p): p is string => p !== undefined && p !== "",
  );
  let safe = message;
  for (const password of passwords) {
    for (const form of new Set([password, safeDecode(password)])) safe = safe.replaceAll(form, "***");
  }
  return safe;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

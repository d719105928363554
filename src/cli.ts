/**
 * The operator's command line. The user commands work on the configured database (the same
 * environment variables as the server): on SQLite, which parley opens exclusively, run them
 * while the server is stopped, or use the admin API (`POST /api/v2/users`); on PostgreSQL, any
 * time. `backup` asks a running server for a copy of its SQLite database over HTTP. `npm run
 * parley -- --help` prints the usage. This file only reads the command line: the commands, and
 * the server's modules they need, are loaded once it is understood (src/cli-users.ts,
 * src/cli-backup.ts).
 */
import { parseArgs } from "node:util";
import { cliPassword, ConfigError, loadConfig } from "./config.ts";
import type { UserOptions, UserVerb } from "./cli-users.ts";
import type { BackupOptions } from "./cli-backup.ts";
import { AppError } from "./domain/errors.ts";

const USAGE = `usage: npm run parley -- user add --name NAME [--role ROLE]... [--first F] [--last L] [--skill NAME:LEVEL]... [--password P]
       npm run parley -- user passwd --name NAME [--password P]
       npm run parley -- user list
       npm run parley -- user remove --name NAME
       npm run parley -- backup [--url URL] [--user NAME] [--name FILE]
       npm run parley -- --help

Roles: ROLE_AGENT (the default), ROLE_SUPERVISOR, ROLE_ADMIN; a skill level is 0 to 10. Without
--password, a password is generated and printed once. The database is the server's (DATABASE_URL,
DATABASE_SCHEMA); on SQLite, stop parley first or use POST /api/v2/users.

backup asks the running server at URL (default http://127.0.0.1:8080) for a copy of its SQLite
database (POST /api/v2/admin/backup) as an administrator, NAME (default admin) with the password
in the environment variable PARLEY_PASSWORD, and prints where the copy is: backups/FILE beside
the database, FILE a plain file name (default parley-<UTC time>.db). On PostgreSQL use pg_dump.
(Without the dev dependencies, after npm run build: node dist/cli.js user ...)`;

const VERBS: readonly UserVerb[] = ["add", "passwd", "list", "remove"];

type Command =
  | { kind: "help" }
  | { kind: "mistake"; problem: string }
  | { kind: "user"; verb: UserVerb; options: UserOptions }
  | { kind: "backup"; options: BackupOptions; password: string };

/** What the command line asks for; a mistake is said before any database is opened. */
function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    return { kind: "mistake", problem: err instanceof Error ? err.message : String(err) };
  }
  const { positionals, values } = parsed;
  if (values.help === true) return { kind: "help" };
  const [noun, ...rest] = positionals;
  const { help: _help, url, user, ...options } = values;
  if (noun === "backup") return backupCommand(rest, { url, user, name: options.name });
  if (noun !== "user") return { kind: "mistake", problem: noun === undefined ? "no command given" : `unknown command: ${noun}` };
  return userCommand(rest, options);
}

function userCommand([verb, ...rest]: string[], options: UserOptions): Command {
  const known = VERBS.find((v) => v === verb);
  if (known === undefined) return { kind: "mistake", problem: verb === undefined ? "user: add, passwd, list or remove?" : `unknown command: user ${verb}` };
  if (rest.length > 0) return { kind: "mistake", problem: `unexpected: ${rest.join(" ")}` };
  if (known !== "list" && options.name === undefined) return { kind: "mistake", problem: `user ${known} needs --name` };
  return { kind: "user", verb: known, options };
}

/** The password comes from the environment only (cliPassword): an option would show it in the process list. */
function backupCommand(rest: string[], options: { url?: string; user?: string; name?: string }): Command {
  if (rest.length > 0) return { kind: "mistake", problem: `unexpected: ${rest.join(" ")}` };
  const password = cliPassword();
  if (password === null) return { kind: "mistake", problem: "backup needs the administrator's password in PARLEY_PASSWORD" };
  return { kind: "backup", options: { url: options.url ?? "http://127.0.0.1:8080", user: options.user ?? "admin", name: options.name }, password };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      name: { type: "string" },
      role: { type: "string", multiple: true },
      first: { type: "string" },
      last: { type: "string" },
      skill: { type: "string", multiple: true },
      password: { type: "string" },
      url: { type: "string" },
      user: { type: "string" },
    },
  });
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === "mistake") {
    process.stderr.write(`parley: ${command.problem}\n${USAGE}\n`);
    return 2;
  }
  if (command.kind === "backup") {
    const { runBackupCommand } = await import("./cli-backup.ts");
    return runBackupCommand(command.options, command.password);
  }
  const config = loadConfig();
  const { runUserCommand } = await import("./cli-users.ts");
  return runUserCommand(config, command.verb, command.options);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A configuration error or a refused input (AppError: a bad role, a taken name) is the operator's to fix: status 2.
    const expected = err instanceof ConfigError || err instanceof AppError;
    process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(expected ? 2 : 1);
  },
);

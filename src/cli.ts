/**
 * The operator's command line, on the configured database (the same environment variables as
 * the server). On SQLite, which parley opens exclusively, run it while the server is stopped,
 * or use the admin API (`POST /api/v2/users`); on PostgreSQL, any time. `npm run parley --
 * --help` prints the usage. This file only reads the command line: the commands, and the
 * server's modules they need, are loaded once it is understood (src/cli-users.ts).
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";
import type { UserOptions, UserVerb } from "./cli-users.ts";
import { AppError } from "./domain/errors.ts";

const USAGE = `usage: npm run parley -- user add --name NAME [--role ROLE]... [--first F] [--last L] [--skill NAME:LEVEL]... [--password P]
       npm run parley -- user passwd --name NAME [--password P]
       npm run parley -- user list
       npm run parley -- user remove --name NAME
       npm run parley -- --help

Roles: ROLE_AGENT (the default), ROLE_SUPERVISOR, ROLE_ADMIN; a skill level is 0 to 10. Without
--password, a password is generated and printed once. The database is the server's (DATABASE_URL,
DATABASE_SCHEMA); on SQLite, stop parley first or use POST /api/v2/users.
(Without the dev dependencies, after npm run build: node dist/cli.js user ...)`;

const VERBS: readonly UserVerb[] = ["add", "passwd", "list", "remove"];

type Command = { kind: "help" } | { kind: "mistake"; problem: string } | { kind: "user"; verb: UserVerb; options: UserOptions };

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
  const [noun, verb, ...rest] = positionals;
  if (noun !== "user") return { kind: "mistake", problem: noun === undefined ? "no command given" : `unknown command: ${noun}` };
  const known = VERBS.find((v) => v === verb);
  if (known === undefined) return { kind: "mistake", problem: verb === undefined ? "user: add, passwd, list or remove?" : `unknown command: user ${verb}` };
  if (rest.length > 0) return { kind: "mistake", problem: `unexpected: ${rest.join(" ")}` };
  if (known !== "list" && values.name === undefined) return { kind: "mistake", problem: `user ${known} needs --name` };
  const { help: _help, ...options } = values;
  return { kind: "user", verb: known, options };
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

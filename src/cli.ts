/**
 * The operator's command line, on the configured database (the same environment variables as
 * the server). On SQLite, which parley opens exclusively, run it while the server is stopped,
 * or use the admin API (`POST /api/v2/users`); on PostgreSQL, any time.
 *
 *   npm run parley -- user add --name ada --role ROLE_AGENT [--role ROLE_SUPERVISOR]
 *        [--first Ada] [--last Lovelace] [--skill english:7] [--password ...]
 *   npm run parley -- user passwd --name ada [--password ...]
 *   npm run parley -- user list
 *   npm run parley -- user remove --name ada
 *
 * Without --password, a password is generated and printed once.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { openStore } from "./app.ts";
import type { ActionContext } from "./actions/context.ts";
import { insertUser } from "./actions/users.ts";
import { hashPassword } from "./access/passwords.ts";
import { ChatAllowance } from "./access/chat-allowance.ts";
import { createLogger } from "./logger.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { AppError } from "./domain/errors.ts";
import { checkPassword, type Skill } from "./domain/users.ts";
import type { Store } from "./store/store.ts";

/** The CLI serves no chat client: no rate (0 is none) and no count (nothing is ever open here) to mind. */
const NO_CHAT_CLIENTS = {
  servicesPerMinutePerIp: 0,
  servicesPerMinutePerUser: 0,
  openServicesPerIp: Number.MAX_SAFE_INTEGER,
  chatsPerMinutePerIp: 0,
  chatsPerMinutePerUser: 0,
  openChatsPerIp: Number.MAX_SAFE_INTEGER,
  openChatsPerUser: Number.MAX_SAFE_INTEGER,
  entriesPerMinute: 0,
};

const USAGE = `usage: parley user add --name NAME [--role ROLE]... [--first F] [--last L] [--skill NAME:LEVEL]... [--password P]
       parley user passwd --name NAME [--password P]
       parley user list
       parley user remove --name NAME`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      role: { type: "string", multiple: true },
      first: { type: "string" },
      last: { type: "string" },
      skill: { type: "string", multiple: true },
      password: { type: "string" },
    },
  });
  const [noun, verb] = positionals;
  if (noun !== "user" || verb === undefined) return fail(USAGE);
  const config = loadConfig();
  const store = await openStore(config).catch((err: unknown) => {
    throw new Error(`cannot open ${config.databaseUrl}: ${(err as Error).message} (on SQLite, stop parley first or use POST /api/v2/users)`);
  });
  try {
    // No server runs here: nothing to notify.
    const ctx: ActionContext = {
      store,
      now: Date.now,
      cs: { businessAttributes: [], autoCompleteEnabled: false, autoCompleteAfterSeconds: null, expirationSeconds: 0 },
      responseLimitBytes: 0,
      notifier: { deliver: () => {}, revoke: () => {} },
      routing: { offerTimeoutMs: config.routingOfferTimeoutMs, roles: config.routingRoles, kick: () => {} },
      agentApiBase: "/api/v2",
      interactionMaxDataBytes: config.interactionMaxDataBytes,
      historyRetentionMs: null,
      chat: {
        services: new Map(),
        customerTimeoutMs: 0,
        maxMessageChars: 0,
        maxTranscriptEntries: 0,
        maxTranscriptBytes: 0,
        maxFieldChars: 0,
        data: { maxBytes: 0, maxValueChars: 0 },
        unusedServiceTtlMs: 0,
        allowance: new ChatAllowance(NO_CHAT_CLIENTS, Date.now),
        trustClientIdentity: false,
        serviceBase: "",
      },
      push: { send: () => false, canReach: () => false },
      logger: createLogger("silent"),
    };
    switch (verb) {
      case "add":
        return await add(ctx, values);
      case "passwd":
        return await passwd(store, values);
      case "list":
        for (const u of await store.users.list()) process.stdout.write(`${u.id}  ${u.userName}  ${u.roles.join(",")}${u.enabled ? "" : "  (disabled)"}\n`);
        return 0;
      case "remove": {
        const user = values.name === undefined ? null : await store.users.getByName(values.name);
        if (user === null) return fail(`no user ${values.name ?? ""}`);
        await store.transaction((tx) => tx.users.delete(user.id));
        process.stdout.write(`removed ${user.userName}\n`);
        return 0;
      }
      default:
        return fail(USAGE);
    }
  } finally {
    await store.close();
  }
}

type Values = { name?: string; role?: string[]; first?: string; last?: string; skill?: string[]; password?: string };

async function add(ctx: ActionContext, values: Values): Promise<number> {
  if (values.name === undefined) return fail(USAGE);
  const password = values.password ?? generatedPassword();
  const id = await insertUser(ctx, {
    userName: values.name,
    password,
    roles: values.role ?? ["ROLE_AGENT"],
    firstName: values.first,
    lastName: values.last,
    skills: (values.skill ?? []).map(parseSkill),
  });
  process.stdout.write(`created ${values.name} (id ${id})${values.password === undefined ? `, password: ${password}` : ""}\n`);
  return 0;
}

async function passwd(store: Store, values: Values): Promise<number> {
  const user = values.name === undefined ? null : await store.users.getByName(values.name);
  if (user === null) return fail(`no user ${values.name ?? ""}`);
  const password = values.password ?? generatedPassword();
  const passwordHash = await hashPassword(checkPassword(password));
  // The old password's sessions end with it (running nodes still close their CometD clients
  // only when the API changes a password: this process reaches no node).
  await store.transaction(async (tx) => {
    await tx.users.update({ ...user, passwordHash, updatedAt: Date.now() });
    await tx.userSessions.deleteForUser(user.id);
  });
  process.stdout.write(`password of ${user.userName} changed${values.password === undefined ? `: ${password}` : ""}\n`);
  return 0;
}

function parseSkill(raw: string): Skill {
  const m = /^(.{1,64}):(\d{1,2})$/.exec(raw);
  if (m === null || Number(m[2]) > 10) throw new AppError("invalid_input", `--skill ${raw}: NAME:LEVEL, level 0 to 10`);
  return { name: m[1]!, level: Number(m[2]) };
}

function generatedPassword(): string {
  return randomBytes(12).toString("base64url");
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof ConfigError || err instanceof AppError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`parley: ${message}\n`);
    process.exit(err instanceof AppError || err instanceof ConfigError ? 2 : 1);
  },
);

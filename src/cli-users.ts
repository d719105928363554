/**
 * The operator CLI's user commands (`npm run parley -- user ...`), on the configured database.
 * Loaded only once the command line is understood: `--help` and a mistyped command answer
 * without opening a database or loading the server's modules.
 */
import { LocalFileStore } from "./files/file-store.ts";
import { randomBytes } from "node:crypto";
import { openStore } from "./store/open.ts";
import type { ActionContext } from "./actions/context.ts";
import { insertUser } from "./actions/users.ts";
import { hashPassword } from "./access/passwords.ts";
import { ChatAllowance } from "./access/chat-allowance.ts";
import type { Config } from "./config.ts";
import { createLogger } from "./logger.ts";
import { MemoryBus } from "./bus/memory.ts";
import { RoutingView } from "./actions/routing-view.ts";
import { AppError } from "./domain/errors.ts";
import { defaultPolicy } from "./domain/queue-policy.ts";
import { checkPassword, type Skill } from "./domain/users.ts";
import { databaseProblem } from "./start-problems.ts";
import { StoreOpenError, type Store } from "./store/store.ts";

export type UserVerb = "add" | "passwd" | "list" | "remove";

export interface UserOptions {
  name?: string;
  role?: string[];
  first?: string;
  last?: string;
  skill?: string[];
  password?: string;
}

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

/** Runs one user command; resolves to the exit status (2: a problem the operator fixes, said on standard error). */
export async function runUserCommand(config: Config, verb: UserVerb, options: UserOptions): Promise<number> {
  let store: Store;
  try {
    store = await openStore(config);
  } catch (err) {
    const problem = err instanceof StoreOpenError ? err.message : databaseProblem(config, err);
    if (problem === null) throw err;
    const sqlite = config.databaseUrl.startsWith("sqlite:") ? " (while parley runs, add users with POST /api/v2/users)" : "";
    return fail(`${problem}${sqlite}`);
  }
  try {
    switch (verb) {
      case "add":
        return await add(cliContext(config, store), options);
      case "passwd":
        return await passwd(store, options);
      case "list":
        for (const u of await store.users.list()) process.stdout.write(`${u.id}  ${u.userName}  ${u.roles.join(",")}${u.enabled ? "" : "  (disabled)"}\n`);
        return 0;
      case "remove": {
        const user = options.name === undefined ? null : await store.users.getByName(options.name);
        if (user === null) return fail(`no user ${options.name ?? ""}`);
        await store.transaction((tx) => tx.users.delete(user.id));
        process.stdout.write(`removed ${user.userName}\n`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}

/** What the user actions need, with no server behind them: nothing to notify, route or push. */
function cliContext(config: Config, store: Store): ActionContext {
  const logger = createLogger("silent");
  const view = new RoutingView({ store, roles: config.routingRoles, bus: new MemoryBus(), nodeId: "cli", logger, onRemoteChange: () => {} });
  return {
    store,
    now: Date.now,
    cs: { businessAttributes: [], autoCompleteEnabled: false, autoCompleteAfterSeconds: null, expirationSeconds: 0 },
    responseLimitBytes: 0,
    notifier: { deliver: () => {}, revoke: () => {}, publish: () => {}, deliverToTopic: () => {} },
    chatFeed: false,
    supervision: { note: () => {} },
    queueMeter: { record: () => {} },
    routing: {
      offerTimeoutMs: config.routingOfferTimeoutMs,
      roles: config.routingRoles,
      policy: (queue) => defaultPolicy(queue),
      view,
      lastAgent: { windowMs: 0, waitMs: 0 },
      kick: () => {},
    },
    statisticsTimeZone: config.statisticsTimeZone,
    agentApiBase: "/api/v2",
    agentStates: [],
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
      // The CLI touches no chat files.
      files: {
        store: new LocalFileStore(config.chatV2FileDir),
        maxBytes: 0,
        maxFiles: 0,
        maxTotalBytes: 0,
        maxBytesPerAddress: 0,
        downloads: 0,
        types: [],
        needAgent: true,
      },
    },
    push: { send: () => false, canReach: () => false },
    logger,
  };
}

async function add(ctx: ActionContext, options: UserOptions): Promise<number> {
  if (options.name === undefined) return fail("user add needs --name");
  const password = options.password ?? generatedPassword();
  const id = await insertUser(ctx, {
    userName: options.name,
    password,
    roles: options.role ?? ["ROLE_AGENT"],
    firstName: options.first,
    lastName: options.last,
    skills: (options.skill ?? []).map(parseSkill),
  });
  process.stdout.write(`created ${options.name} (id ${id})${options.password === undefined ? `, password: ${password}` : ""}\n`);
  return 0;
}

async function passwd(store: Store, options: UserOptions): Promise<number> {
  const user = options.name === undefined ? null : await store.users.getByName(options.name);
  if (user === null) return fail(`no user ${options.name ?? ""}`);
  const password = options.password ?? generatedPassword();
  const passwordHash = await hashPassword(checkPassword(password));
  // The old password's sessions end with it (running nodes still close their CometD clients
  // only when the API changes a password: this process reaches no node).
  await store.transaction(async (tx) => {
    await tx.users.update({ ...user, passwordHash, updatedAt: Date.now() });
    await tx.userSessions.deleteForUser(user.id);
  });
  process.stdout.write(`password of ${user.userName} changed${options.password === undefined ? `: ${password}` : ""}\n`);
  return 0;
}

function parseSkill(raw: string): Skill {
  const { name, level } = /^(?<name>.{1,64}):(?<level>\d{1,2})$/.exec(raw)?.groups ?? {};
  if (name === undefined || level === undefined || Number(level) > 10) throw new AppError("invalid_input", `--skill ${raw}: NAME:LEVEL, level 0 to 10`);
  return { name, level: Number(level) };
}

function generatedPassword(): string {
  return randomBytes(12).toString("base64url");
}

function fail(message: string): number {
  process.stderr.write(`parley: ${message}\n`);
  return 2;
}

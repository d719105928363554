/** Agent-side users: create, read, update, delete (administrators), and the start-up admin. */
import { randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "../access/passwords.ts";
import { maySupervise, requireRole } from "../access/users.ts";
import { AppError, invalidInput, notFound } from "../domain/errors.ts";
import { USER_DISABLED } from "../domain/agent-state.ts";
import { CHANNELS, checkCapacity, checkPassword, checkRoles, checkSkills, USER_NAME, type User, type UserInput } from "../domain/users.ts";
import { UniqueViolation, type Store } from "../store/store.ts";
import { releaseAgent } from "../domain/agent-interactions.ts";
import { commit, type Announcements } from "./after-commit.ts";
import { changeReported } from "./channel-states.ts";
import { recordAgentChanges } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";

export interface NewUserInput extends UserInput {
  userName: string;
  password: string;
}

export async function createUser(ctx: ActionContext, actor: User, input: NewUserInput): Promise<string> {
  requireRole(actor, "ROLE_ADMIN");
  return insertUser(ctx, input);
}

/** Creates a user with no actor: the start-up admin and the operator's CLI. */
export async function insertUser(ctx: ActionContext, input: NewUserInput): Promise<string> {
  if (!USER_NAME.test(input.userName)) throw invalidInput("userName: 1 to 64 letters, digits or . _ @ -");
  const now = ctx.now();
  const user: User = {
    id: randomUUID().replaceAll("-", ""),
    userName: input.userName,
    firstName: input.firstName ?? "",
    lastName: input.lastName ?? "",
    roles: checkRoles(input.roles ?? ["ROLE_AGENT"]),
    skills: checkSkills(input.skills ?? []),
    capacity: checkCapacity(input.capacity),
    passwordHash: await hashPassword(checkPassword(input.password)),
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
  await commit(ctx, async (tx, announce) => {
    await tx.users.insert(user);
    announce.supervised("agents", "queues");
  }).catch(taken(input.userName));
  return user.id;
}

/**
 * Updates a user. A new password or a disable ends every login session of the user and closes
 * their CometD clients on every node (a supervisor who is one no longer: their CometD clients); a disabled user is NotReady everywhere and what they held
 * goes on without them, as on delete (they can no longer act on it).
 */
export async function updateUser(ctx: ActionContext, actor: User, id: string, input: UserInput & { password?: string }): Promise<void> {
  requireRole(actor, "ROLE_ADMIN");
  if (input.userName !== undefined && !USER_NAME.test(input.userName)) throw invalidInput("userName: 1 to 64 letters, digits or . _ @ -");
  const passwordHash = input.password === undefined ? undefined : await hashPassword(checkPassword(input.password));
  const endsSessions = passwordHash !== undefined || input.enabled === false;
  // Checked before the transaction: invalid input never starts one.
  const roles = input.roles === undefined ? undefined : checkRoles(input.roles);
  const skills = input.skills === undefined ? undefined : checkSkills(input.skills);
  checkCapacity(input.capacity);
  await commit(ctx, async (tx, announce) => {
    const user = await tx.users.get(id);
    if (user === null) throw userNotFound(id);
    const now = ctx.now();
    await tx.users.update({
      ...user,
      userName: input.userName ?? user.userName,
      firstName: input.firstName ?? user.firstName,
      lastName: input.lastName ?? user.lastName,
      roles: roles ?? user.roles,
      skills: skills ?? user.skills,
      capacity: checkCapacity(input.capacity, user.capacity),
      passwordHash: passwordHash ?? user.passwordHash,
      enabled: input.enabled ?? user.enabled,
      updatedAt: now,
    });
    announce.supervised("agents", "queues");
    // Their skills, capacity, roles or being enabled are what routing chooses by.
    announce.agentsChanged(id);
    if (endsSessions) {
      await tx.userSessions.deleteForUser(id);
      announce.revokeAgent(id);
    } else if (maySupervise(user) && !maySupervise({ ...user, roles: roles ?? user.roles })) {
      // Their CometD clients end: subscribed to what supervisors are told, they would go on hearing it.
      announce.revokeAgent(id);
    }
    if (input.enabled !== false || !user.enabled) return;
    await changeReported(tx, id, now, async () => {
      for (const channel of CHANNELS) await tx.agentChannels.set(id, { channel, state: "NotReady", reason: USER_DISABLED, changedAt: now });
    });
    await releaseAll(tx, ctx, id, announce);
  }).catch(taken(input.userName ?? ""));
}

/** Deletes a user; what they held (owned, parked, invited to, in conference) goes on without them. */
export async function deleteUser(ctx: ActionContext, actor: User, id: string): Promise<void> {
  requireRole(actor, "ROLE_ADMIN");
  if (id === actor.id) throw invalidInput("an administrator cannot delete their own user");
  await commit(ctx, async (tx, announce) => {
    if (!(await tx.users.delete(id))) throw userNotFound(id);
    announce.revokeAgent(id);
    await releaseAll(tx, ctx, id, announce);
  });
}

/**
 * Releases whatever `userId` holds (owned, parked, invited to, in conference), in the caller's
 * transaction, and tells everyone but the released user (who is gone) what changed.
 */
async function releaseAll(tx: Store, ctx: ActionContext, userId: string, announce: Announcements): Promise<void> {
  for (const ix of await tx.agentInteractions.involving(userId)) {
    const outcome = releaseAgent(ix, userId, ctx.now());
    if (outcome === null || !(await tx.agentInteractions.update(outcome.next, ix))) continue;
    announce.outcome({ ...outcome, notices: outcome.notices.filter((n) => n.agentId !== userId) });
    announce.chat(await recordAgentChanges(tx, ctx, ix, outcome.next));
  }
}

export async function getUser(ctx: ActionContext, actor: User, id: string): Promise<User> {
  requireRole(actor, "ROLE_ADMIN");
  const user = await ctx.store.users.get(id);
  if (user === null) throw userNotFound(id);
  return user;
}

export async function listUsers(ctx: ActionContext, actor: User): Promise<User[]> {
  requireRole(actor, "ROLE_ADMIN");
  return ctx.store.users.list();
}

/**
 * PARLEY_ADMIN_PASSWORD: creates user `admin` (ROLE_ADMIN) with that password when no user of
 * that name exists; an existing one is left as it is. Returns whether it created it.
 */
export async function ensureAdmin(ctx: ActionContext, password: string): Promise<boolean> {
  if ((await ctx.store.users.getByName("admin")) !== null) return false;
  try {
    await insertUser(ctx, { userName: "admin", password, roles: ["ROLE_ADMIN"], firstName: "Administrator" });
    return true;
  } catch (err) {
    // Another node created it at the same moment.
    if (err instanceof AppError && err.code === "invalid_state") return false;
    throw err;
  }
}

export interface GeneratedCredentials {
  userName: string;
  password: string;
  roles: string[];
}

/**
 * A first start, no user at all: an administrator and two agents with generated passwords, for
 * the caller to show once. None when any user exists (another node may have made them already).
 */
export async function createDemoUsers(ctx: ActionContext): Promise<GeneratedCredentials[]> {
  if ((await ctx.store.users.list()).length > 0) return [];
  const demo: GeneratedCredentials[] = [
    { userName: "admin", password: randomBytes(12).toString("base64url"), roles: ["ROLE_ADMIN", "ROLE_SUPERVISOR"] },
    { userName: "agent1", password: randomBytes(12).toString("base64url"), roles: ["ROLE_AGENT"] },
    { userName: "agent2", password: randomBytes(12).toString("base64url"), roles: ["ROLE_AGENT"] },
  ];
  const created: GeneratedCredentials[] = [];
  for (const user of demo) {
    try {
      await insertUser(ctx, { userName: user.userName, password: user.password, roles: user.roles });
      created.push(user);
    } catch (err) {
      if (!(err instanceof AppError && err.code === "invalid_state")) throw err;
    }
  }
  return created;
}

function userNotFound(id: string) {
  return notFound(`There is no user ${id}`);
}

function taken(userName: string) {
  return (err: unknown): never => {
    if (err instanceof UniqueViolation) throw new AppError("invalid_state", `userName: ${userName} is taken`);
    throw err;
  };
}

/** Users and their login sessions in SQL. */
import type { Insertable, Kysely, Selectable } from "kysely";
import type { AgentState, ChannelState } from "../../domain/agent-state.ts";
import type { Channel, Role, Skill, User } from "../../domain/users.ts";
import { UniqueViolation, type AgentChannelStore, type ReadyAgent, type UserSession, type UserSessionStore, type UserStore } from "../store.ts";
import { runPrepared, runPreparedWrite } from "./prepared.ts";
import type { Database, UsersTable } from "./schema.ts";
import { int } from "./values.ts";

export class SqlUserStore implements UserStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";
  private readonly isUniqueViolation: (err: unknown) => boolean;

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres", isUniqueViolation: (err: unknown) => boolean) {
    this.db = db;
    this.dialect = dialect;
    this.isUniqueViolation = isUniqueViolation;
  }

  async insert(user: User): Promise<void> {
    await this.unique(user.userName, () => this.db.insertInto("users").values(toRow(user)).execute());
  }

  // Every agent request reads its user (authentication.ts): compiled once (prepared.ts).
  async get(id: string): Promise<User | null> {
    const [row] = await runPrepared(this.db, this.dialect, "users.get", (db) => db.selectFrom("users").selectAll().where("id", "=", ""), [id]);
    return row === undefined ? null : toUser(row);
  }

  async getByName(userName: string): Promise<User | null> {
    const row = await this.db.selectFrom("users").selectAll().where("user_name", "=", userName).executeTakeFirst();
    return row === undefined ? null : toUser(row);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom("users").selectAll().orderBy("user_name").execute();
    return rows.map(toUser);
  }

  async update(user: User): Promise<void> {
    const { id, created_at: _, ...row } = toRow(user);
    await this.unique(user.userName, () => this.db.updateTable("users").set(row).where("id", "=", id).execute());
  }

  async delete(id: string): Promise<boolean> {
    await this.db.deleteFrom("user_sessions").where("user_id", "=", id).execute();
    await this.db.deleteFrom("agent_channels").where("user_id", "=", id).execute();
    await this.db.deleteFrom("agent_wrap_ups").where("user_id", "=", id).execute();
    await this.db.deleteFrom("agent_state_log").where("user_id", "=", id).execute();
    const result = await this.db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async unique(userName: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (this.isUniqueViolation(err)) throw new UniqueViolation(`user ${userName}`);
      throw err;
    }
  }
}

export class SqlUserSessionStore implements UserSessionStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres") {
    this.db = db;
    this.dialect = dialect;
  }

  async insert(s: UserSession): Promise<void> {
    await this.db
      .insertInto("user_sessions")
      .values({ token_hash: s.tokenHash, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt })
      .execute();
  }

  // Every agent request with a session cookie reads its session: compiled once (prepared.ts).
  async get(tokenHash: string, now: number): Promise<UserSession | null> {
    const [row] = await runPrepared(
      this.db,
      this.dialect,
      "userSessions.get",
      (db) => db.selectFrom("user_sessions").selectAll().where("token_hash", "=", "").where("expires_at", ">", 0),
      [tokenHash, now],
    );
    if (row === undefined) return null;
    return { tokenHash: row.token_hash, userId: row.user_id, createdAt: int(row.created_at), expiresAt: int(row.expires_at) };
  }

  async delete(tokenHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom("user_sessions").where("token_hash", "=", tokenHash).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<number> {
    const result = await this.db.deleteFrom("user_sessions").where("user_id", "=", userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("user_sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

export class SqlAgentChannelStore implements AgentChannelStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres") {
    this.db = db;
    this.dialect = dialect;
  }

  async list(userId: string): Promise<ChannelState[]> {
    const rows = await this.db.selectFrom("agent_channels").selectAll().where("user_id", "=", userId).orderBy("channel").execute();
    return rows.map((r) => ({ channel: r.channel as Channel, state: r.state as AgentState, reason: r.reason, changedAt: int(r.changed_at) }));
  }

  async listAll(): Promise<Map<string, ChannelState[]>> {
    const rows = await this.db.selectFrom("agent_channels").selectAll().orderBy("user_id").orderBy("channel").execute();
    const all = new Map<string, ChannelState[]>();
    for (const r of rows) {
      const state: ChannelState = { channel: r.channel as Channel, state: r.state as AgentState, reason: r.reason, changedAt: int(r.changed_at) };
      const states = all.get(r.user_id);
      if (states === undefined) all.set(r.user_id, [state]);
      else states.push(state);
    }
    return all;
  }

  async ready(channel: Channel): Promise<ReadyAgent[]> {
    const rows = await this.readyRows().where("a.channel", "=", channel).execute();
    return rows.map((row) => toReadyAgent(row));
  }

  async readyOf(userIds: readonly string[]): Promise<Array<ReadyAgent & { channel: Channel }>> {
    if (userIds.length === 0) return [];
    const rows = await this.readyRows().where("a.user_id", "in", userIds).execute();
    return rows.map((row) => ({ ...toReadyAgent(row), channel: row.channel as Channel }));
  }

  /** Only the columns routing needs: it reads them often. */
  private readyRows() {
    return this.db
      .selectFrom("agent_channels as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select(["u.id", "u.roles", "u.skills", "u.capacity", "a.channel", "a.changed_at", "a.idle_since", "a.load"])
      .where("a.state", "=", "Ready")
      .where("u.enabled", "=", 1);
  }

  async touch(userId: string, channel: Channel, now: number): Promise<void> {
    await this.db.updateTable("agent_channels").set({ idle_since: now }).where("user_id", "=", userId).where("channel", "=", channel).execute();
  }

  async lock(userId: string): Promise<void> {
    if (this.dialect !== "postgres") return;
    await this.db.selectFrom("agent_channels").select("user_id").where("user_id", "=", userId).orderBy("channel").forUpdate().execute();
  }

  async reserve(userId: string, channel: Channel, capacity: number, now: number): Promise<boolean> {
    // Every offer runs this: compiled once (prepared.ts).
    const reserved = await runPreparedWrite(
      this.db,
      this.dialect,
      "agentChannels.reserve",
      (db) =>
        db
          .updateTable("agent_channels")
          .set({ idle_since: 0 })
          .where("user_id", "=", "")
          .where("channel", "=", "")
          .where("state", "=", "Ready")
          .where("load", "<", 0),
      [now, userId, channel, "Ready", capacity],
    );
    return reserved > 0;
  }

  async set(userId: string, s: ChannelState): Promise<void> {
    await this.db
      .insertInto("agent_channels")
      .values({ user_id: userId, channel: s.channel, state: s.state, reason: s.reason, changed_at: s.changedAt })
      .onConflict((oc) => oc.columns(["user_id", "channel"]).doUpdateSet({ state: s.state, reason: s.reason, changed_at: s.changedAt }))
      .execute();
  }
}

function toReadyAgent(row: {
  id: string;
  roles: string;
  skills: string;
  capacity: string;
  channel: string;
  changed_at: number | string;
  idle_since: number | string;
  load: number;
}): ReadyAgent {
  return {
    userId: row.id,
    roles: JSON.parse(row.roles) as Role[],
    skills: JSON.parse(row.skills) as Skill[],
    capacity: (JSON.parse(row.capacity) as Record<Channel, number>)[row.channel as Channel] ?? 0,
    load: Number(row.load),
    idleSince: Math.max(int(row.changed_at), int(row.idle_since)),
  };
}

function toRow(u: User): Insertable<UsersTable> & { id: string } {
  return {
    id: u.id,
    user_name: u.userName,
    first_name: u.firstName,
    last_name: u.lastName,
    roles: JSON.stringify(u.roles),
    skills: JSON.stringify(u.skills),
    capacity: JSON.stringify(u.capacity),
    password_hash: u.passwordHash,
    enabled: u.enabled ? 1 : 0,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    userName: row.user_name,
    firstName: row.first_name,
    lastName: row.last_name,
    roles: JSON.parse(row.roles) as Role[],
    skills: JSON.parse(row.skills) as Skill[],
    capacity: JSON.parse(row.capacity) as Record<Channel, number>,
    passwordHash: row.password_hash,
    enabled: row.enabled === 1,
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
  };
}

/** Wrap-ups running now and the log of agents' channel states, in SQL (migration 011). */
import { sql, type Kysely, type Selectable } from "kysely";
import type { LoggedChannelState, LoggedState, StateLogRow } from "../../domain/agent-statistics.ts";
import type { Channel } from "../../domain/users.ts";
import type { WrapUp } from "../../domain/wrap-up.ts";
import type { AgentStateLogStore, WrapUpStore } from "../store.ts";
import { moveLoad } from "./loads.ts";
import type { Database } from "./schema.ts";
import { int } from "./values.ts";

export class SqlWrapUpStore implements WrapUpStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres") {
    this.db = db;
    this.dialect = dialect;
  }

  async insert(w: WrapUp): Promise<void> {
    await this.db
      .insertInto("agent_wrap_ups")
      .values({ interaction_id: w.interactionId, user_id: w.userId, channel: w.channel, queue: w.queue, started_at: w.startedAt, ends_at: w.endsAt })
      .execute();
    // A wrap-up holds one slot: routing's load counts it until it ends.
    await moveLoad(this.db, this.dialect, w.userId, w.channel, 1);
  }

  /** Frees the slot of each ended wrap-up; returns how many ended. */
  private async freeSlots(userId: string, ended: readonly { channel: string }[]): Promise<number> {
    const perChannel = new Map<Channel, number>();
    for (const { channel } of ended) perChannel.set(channel as Channel, (perChannel.get(channel as Channel) ?? 0) + 1);
    for (const [channel, n] of perChannel) await moveLoad(this.db, this.dialect, userId, channel, -n);
    return ended.length;
  }

  async of(userId: string): Promise<WrapUp[]> {
    const rows = await this.db.selectFrom("agent_wrap_ups").selectAll().where("user_id", "=", userId).orderBy("started_at").orderBy("interaction_id").execute();
    return rows.map(toWrapUp);
  }

  async running(): Promise<WrapUp[]> {
    const rows = await this.db.selectFrom("agent_wrap_ups").selectAll().orderBy("user_id").orderBy("started_at").execute();
    return rows.map(toWrapUp);
  }

  async end(userId: string, channels: readonly Channel[]): Promise<number> {
    if (channels.length === 0) return 0;
    const ended = await this.db.deleteFrom("agent_wrap_ups").where("user_id", "=", userId).where("channel", "in", channels).returning("channel").execute();
    return this.freeSlots(userId, ended);
  }

  async endDue(userId: string, now: number): Promise<number> {
    const ended = await this.db.deleteFrom("agent_wrap_ups").where("user_id", "=", userId).where("ends_at", "<=", now).returning("channel").execute();
    return this.freeSlots(userId, ended);
  }

  async dueAgents(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("agent_wrap_ups")
      .select(["user_id", sql<number | string>`min(ends_at)`.as("due")])
      .where("ends_at", "<=", now)
      .groupBy("user_id")
      .orderBy("due")
      .limit(limit)
      .execute();
    return rows.map((r) => r.user_id);
  }
}

function toWrapUp(row: Selectable<Database["agent_wrap_ups"]>): WrapUp {
  return {
    interactionId: row.interaction_id,
    userId: row.user_id,
    channel: row.channel as Channel,
    queue: row.queue,
    startedAt: int(row.started_at),
    endsAt: int(row.ends_at),
  };
}

export class SqlAgentStateLogStore implements AgentStateLogStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async enter(userId: string, entry: LoggedChannelState, at: number): Promise<void> {
    await this.db
      .updateTable("agent_state_log")
      .set({ ended_at: at })
      .where("user_id", "=", userId)
      .where("channel", "=", entry.channel)
      .where("ended_at", "is", null)
      .execute();
    await this.db
      .insertInto("agent_state_log")
      .values({ user_id: userId, channel: entry.channel, state: entry.state, reason: entry.reason, started_at: at, ended_at: null })
      .execute();
  }

  async overlapping(userId: string, since: number, until: number): Promise<StateLogRow[]> {
    const rows = await this.db
      .selectFrom("agent_state_log")
      .selectAll()
      .where("user_id", "=", userId)
      .where("started_at", "<", until)
      .where((eb) => eb.or([eb("ended_at", "is", null), eb("ended_at", ">", since)]))
      .orderBy("started_at")
      .orderBy("id")
      .execute();
    return rows.map((row) => ({
      userId: row.user_id,
      channel: row.channel as Channel,
      state: row.state as LoggedState,
      reason: row.reason,
      startedAt: int(row.started_at),
      endedAt: row.ended_at === null ? null : int(row.ended_at),
    }));
  }

  async deleteEndedBefore(before: number, limit: number): Promise<number> {
    const oldest = this.db.selectFrom("agent_state_log").select("id").where("ended_at", "<", before).orderBy("ended_at").limit(limit);
    const result = await this.db.deleteFrom("agent_state_log").where("id", "in", oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

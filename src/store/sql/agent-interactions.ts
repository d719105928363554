/** Queues and the interactions agents work, in SQL. */
import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from "kysely";
import { loadChanges, type AgentInteraction, type Invitation, type WorkState } from "../../domain/agent-interactions.ts";
import type { HandledWork } from "../../domain/agent-statistics.ts";
import type { QueueActivity, ServiceLevelThresholds } from "../../domain/queue-statistics.ts";
import { profileKey } from "../../domain/last-agent.ts";
import type { Queue } from "../../domain/routing.ts";
import type { Channel, Skill } from "../../domain/users.ts";
import { UniqueViolation, type AgentInteractionStore, type QueueStore, type QueueThresholds } from "../store.ts";
import type { AgentInteractionsTable, Database } from "./schema.ts";
import { moveLoad } from "./loads.ts";
import { runPrepared, runPreparedWrite } from "./prepared.ts";
import { int } from "./values.ts";

const ACTIVE: WorkState[] = ["Queued", "Invited", "Accepted", "InWorkbin"];

export class SqlQueueStore implements QueueStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";
  private readonly isUniqueViolation: (err: unknown) => boolean;

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres", isUniqueViolation: (err: unknown) => boolean) {
    this.db = db;
    this.dialect = dialect;
    this.isUniqueViolation = isUniqueViolation;
  }

  async insert(q: Queue): Promise<void> {
    try {
      await this.db
        .insertInto("queues")
        .values({ name: q.name, skills: JSON.stringify(q.skills), created_at: q.createdAt })
        .execute();
    } catch (err) {
      if (this.isUniqueViolation(err)) throw new UniqueViolation(`queue ${q.name}`);
      throw err;
    }
  }

  async get(name: string, options: { lock?: boolean } = {}): Promise<Queue | null> {
    const query = this.db.selectFrom("queues").selectAll().where("name", "=", name);
    const row = await (options.lock === true && this.dialect === "postgres" ? query.forUpdate() : query).executeTakeFirst();
    return row === undefined ? null : { name: row.name, skills: JSON.parse(row.skills) as Skill[], createdAt: int(row.created_at) };
  }

  async list(): Promise<Queue[]> {
    const rows = await this.db.selectFrom("queues").selectAll().orderBy("name").execute();
    return rows.map((row) => ({ name: row.name, skills: JSON.parse(row.skills) as Skill[], createdAt: int(row.created_at) }));
  }
}

export class SqlAgentInteractionStore implements AgentInteractionStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres") {
    this.db = db;
    this.dialect = dialect;
  }

  async insert(ix: AgentInteraction): Promise<void> {
    await this.db.insertInto("agent_interactions").values(toRow(ix)).execute();
    await this.moveLoads(ix.mediaType, loadChanges(null, ix));
  }

  async get(id: string, options: { lock?: boolean } = {}): Promise<AgentInteraction | null> {
    // Every chat message and agent operation reads its interaction: compiled once (prepared.ts).
    const forUpdate = options.lock === true && this.dialect === "postgres";
    const [row] = await runPrepared(
      this.db,
      this.dialect,
      `agentInteractions.get.${forUpdate}`,
      (db) => {
        const query = db.selectFrom("agent_interactions").selectAll().where("id", "=", "");
        return forUpdate ? query.forUpdate() : query;
      },
      [id],
    );
    return row === undefined ? null : toInteraction(row);
  }

  async update(ix: AgentInteraction, previous: AgentInteraction): Promise<boolean> {
    const { id, ...row } = toRow(ix);
    // Every operation on an interaction runs this: compiled once (prepared.ts), the row's columns
    // in toRow's order, then the conditions.
    const updated = await runPreparedWrite(
      this.db,
      this.dialect,
      "agentInteractions.update",
      (db) => db.updateTable("agent_interactions").set(row).where("id", "=", id).where("updated_at", "=", 0).where("state", "=", ""),
      [...Object.values(row), id, previous.updatedAt, previous.state],
    );
    if (updated === 0) return false;
    await this.moveLoads(ix.mediaType, loadChanges(previous, ix));
    return true;
  }

  /**
   * Keeps each agent's load on the channel in step with what they hold, in the same transaction.
   * A slot taken makes the row when the agent never set a state (as NotReady), unless the user is
   * gone; a slot freed never takes a load below 0.
   */
  private async moveLoads(channel: Channel, changes: ReadonlyMap<string, number>): Promise<void> {
    for (const [agentId, delta] of changes) {
      await moveLoad(this.db, this.dialect, agentId, channel, delta);
    }
  }

  async queued(limit: number): Promise<AgentInteraction[]> {
    const rows = await this.db
      .selectFrom("agent_interactions")
      .selectAll()
      .where("state", "=", "Queued")
      .orderBy("priority", "desc")
      .orderBy("queued_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(toInteraction);
  }

  async anyQueued(media: Channel): Promise<boolean> {
    // Every new interaction asks this: compiled once (prepared.ts).
    const rows = await runPrepared(
      this.db,
      this.dialect,
      "agentInteractions.anyQueued",
      (db) => db.selectFrom("agent_interactions").select("id").where("state", "=", "Queued").where("media_type", "=", "").limit(1),
      ["Queued", media, 1],
    );
    return rows.length > 0;
  }

  async expiredOffers(now: number, limit: number): Promise<AgentInteraction[]> {
    const rows = await this.db
      .selectFrom("agent_interactions")
      .selectAll()
      .where("state", "=", "Invited")
      .where("offer_expires_at", "<=", now)
      .orderBy("offer_expires_at")
      .limit(limit)
      .execute();
    return rows.map(toInteraction);
  }

  async involving(agentId: string): Promise<AgentInteraction[]> {
    const rows = await this.involvingQuery(agentId, ACTIVE).selectAll().orderBy("created_at").execute();
    return rows.map(toInteraction);
  }

  async active(limit: number): Promise<AgentInteraction[]> {
    const rows = await this.db.selectFrom("agent_interactions").selectAll().where("state", "in", ACTIVE).orderBy("created_at").limit(limit).execute();
    return rows.map(toInteraction);
  }

  async inWorkbin(workbin: string, ownerId: string): Promise<AgentInteraction[]> {
    const rows = await this.db
      .selectFrom("agent_interactions")
      .selectAll()
      .where("state", "=", "InWorkbin")
      .where("workbin", "=", workbin)
      .where("owner_id", "=", ownerId)
      .orderBy("updated_at")
      .execute();
    return rows.map(toInteraction);
  }

  async loads(media: Channel): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom("agent_channels").select(["user_id", "load"]).where("channel", "=", media).where("load", ">", 0).execute();
    return new Map(rows.map((row) => [row.user_id, Number(row.load)]));
  }

  async handledBy(agentId: string, since: number, until: number): Promise<HandledWork[]> {
    const rows = await this.db
      .selectFrom("agent_interactions")
      .select([
        "media_type",
        sql<number | string>`count(*)`.as("n"),
        sql<number | string>`count(accepted_at)`.as("timed"),
        sql<number | string | null>`sum(completed_at - accepted_at)`.as("handle_ms"),
      ])
      .where("owner_id", "=", agentId)
      .where("state", "=", "Completed")
      .where("completed_at", ">=", since)
      .where("completed_at", "<=", until)
      .groupBy("media_type")
      .orderBy("media_type")
      .execute();
    return rows.map((r) => ({ channel: r.media_type as Channel, count: Number(r.n), timed: Number(r.timed), handleMs: Number(r.handle_ms ?? 0) }));
  }

  async queuePosition(queue: string, id: string | null): Promise<{ waiting: number; position: number | null }> {
    const waitingIn = this.db.selectFrom("agent_interactions").where("state", "=", "Queued").where("queue", "=", queue);
    const total = await waitingIn.select(sql<number | string>`count(*)`.as("n")).executeTakeFirst();
    const waiting = Number(total?.n ?? 0);
    const mine = id === null ? undefined : await waitingIn.select(["priority", "queued_at", "id"]).where("id", "=", id).executeTakeFirst();
    if (mine === undefined) return { waiting, position: null };
    // Ahead: a higher priority; the same one, waiting longer; the same wait, a smaller id (the routing order).
    const ahead = await waitingIn
      .select(sql<number | string>`count(*)`.as("n"))
      .where((eb) =>
        eb.or([
          eb("priority", ">", mine.priority),
          eb.and([
            eb("priority", "=", mine.priority),
            eb.or([eb("queued_at", "<", mine.queued_at), eb.and([eb("queued_at", "=", mine.queued_at), eb("id", "<", mine.id)])]),
          ]),
        ]),
      )
      .executeTakeFirst();
    return { waiting, position: Number(ahead?.n ?? 0) + 1 };
  }

  async averageHandleMs(queue: string, sample: number): Promise<number | null> {
    const recent = this.db
      .selectFrom("agent_interactions")
      .select(sql<number>`completed_at - answered_at`.as("handled"))
      .where("queue", "=", queue)
      .where("state", "=", "Completed")
      .where("answered_at", "is not", null)
      .orderBy("completed_at", "desc")
      .limit(sample)
      .as("recent");
    const row = await this.db.selectFrom(recent).select(sql<number | string | null>`avg(recent.handled)`.as("mean")).executeTakeFirst();
    return row?.mean === null || row?.mean === undefined ? null : Number(row.mean);
  }

  async deleteCompletedBefore(before: number, limit: number): Promise<number> {
    const oldest = this.db
      .selectFrom("agent_interactions")
      .select("id")
      .where("state", "=", "Completed")
      .where("completed_at", "<", before)
      .orderBy("completed_at")
      .limit(limit);
    const result = await this.db.deleteFrom("agent_interactions").where("id", "in", oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async reassignCustomer(from: string, to: string | null): Promise<number> {
    const result = await this.db.updateTable("agent_interactions").set({ customer_id: to }).where("customer_id", "=", from).executeTakeFirst();
    // Last-agent routing knows a linked chat's customer by the same profile.
    await this.db
      .updateTable("agent_interactions")
      .set({ customer_key: to === null ? null : profileKey(to) })
      .where("customer_key", "=", profileKey(from))
      .execute();
    return Number(result.numUpdatedRows);
  }

  async queueActivity(since: number, thresholds: QueueThresholds): Promise<Map<string, QueueActivity>> {
    // The definitions of domain/queue-statistics.ts, summed per queue entered. Every event of a
    // row (creation, answer, abandon, completion) also set its updated_at: the index finds them.
    const serviceLevelMs = thresholdCase(thresholds, (t) => t.serviceLevelMs);
    const shortAbandonMs = thresholdCase(thresholds, (t) => t.shortAbandonMs);
    const count = (condition: RawBuilder<unknown>) => sql<number | string>`sum(case when ${condition} then 1 else 0 end)`;
    const total = (condition: RawBuilder<unknown>, value: RawBuilder<unknown>) => sql<number | string>`sum(case when ${condition} then ${value} else 0 end)`;
    const answered = sql`answered_at >= ${since}`;
    const abandoned = sql`abandoned_at >= ${since}`;
    const handled = sql`completed_at >= ${since} and answered_at is not null`;
    const rows = await this.db
      .selectFrom("agent_interactions")
      .select([
        "entry_queue",
        count(sql`created_at >= ${since}`).as("offered"),
        count(answered).as("answered"),
        count(sql`${answered} and answered_at - created_at <= ${serviceLevelMs}`).as("answered_within"),
        total(answered, sql`answered_at - created_at`).as("wait_ms"),
        count(abandoned).as("abandoned"),
        count(sql`${abandoned} and abandoned_at - created_at < ${shortAbandonMs}`).as("abandoned_short"),
        count(handled).as("handled"),
        total(handled, sql`completed_at - answered_at`).as("handle_ms"),
      ])
      .where("updated_at", ">=", since)
      .groupBy("entry_queue")
      .execute();
    return new Map(
      rows.map((r) => [
        r.entry_queue,
        {
          offered: Number(r.offered ?? 0),
          answered: Number(r.answered ?? 0),
          answeredWithin: Number(r.answered_within ?? 0),
          waitMs: Number(r.wait_ms ?? 0),
          abandoned: Number(r.abandoned ?? 0),
          abandonedShort: Number(r.abandoned_short ?? 0),
          handled: Number(r.handled ?? 0),
          handleMs: Number(r.handle_ms ?? 0),
        },
      ]),
    );
  }

  async waiting(): Promise<Map<string, { count: number; oldestQueuedAt: number }>> {
    const rows = await this.db
      .selectFrom("agent_interactions")
      .select(["queue", sql<number | string>`count(*)`.as("n"), sql<number | string>`min(queued_at)`.as("oldest")])
      .where("state", "=", "Queued")
      .groupBy("queue")
      .execute();
    return new Map(rows.map((r) => [r.queue, { count: Number(r.n), oldestQueuedAt: Number(r.oldest) }]));
  }

  async overflowed(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("agent_interactions")
      .select(["queue", sql<number | string>`count(*)`.as("n")])
      .where("state", "=", "Queued")
      .where("overflow_step", ">", 0)
      .groupBy("queue")
      .execute();
    return new Map(rows.map((r) => [r.queue, Number(r.n)]));
  }

  /** Owner, invitee, or in the conference list (ids are hex: no LIKE escaping needed). */
  private involvingQuery(agentId: string, states: WorkState[]) {
    return this.db
      .selectFrom("agent_interactions")
      .where("state", "in", states)
      .where((eb) =>
        eb.or([eb("owner_id", "=", agentId), eb("invited_id", "=", agentId), eb("conference", "like", `%"${agentId.replace(/[^A-Za-z0-9]/g, "")}"%`)]),
      );
  }
}

/**
 * `case entry_queue when 'a' then 30000 ... else 20000 end`: each queue's threshold in ms. The
 * numbers are integers parley computed, written as literals (a bound parameter in a CASE would
 * be typed text by PostgreSQL); the queue names are bound.
 */
function thresholdCase(thresholds: QueueThresholds, pick: (t: ServiceLevelThresholds) => number): RawBuilder<unknown> {
  const literal = (t: ServiceLevelThresholds) => sql.lit(Math.trunc(pick(t)));
  const whens = [...thresholds.byQueue].map(([queue, t]) => sql`when ${queue} then ${literal(t)}`);
  if (whens.length === 0) return literal(thresholds.otherwise);
  return sql`(case entry_queue ${sql.join(whens, sql` `)} else ${literal(thresholds.otherwise)} end)`;
}

function toRow(ix: AgentInteraction): Insertable<AgentInteractionsTable> & { id: string } {
  return {
    id: ix.id,
    media_type: ix.mediaType,
    state: ix.state,
    queue: ix.queue,
    entry_queue: ix.entryQueue,
    owner_id: ix.ownerId,
    invited_id: ix.invitation?.agentId ?? null,
    invitation_kind: ix.invitation?.kind ?? null,
    offer_expires_at: ix.invitation?.expiresAt ?? null,
    conference: JSON.stringify(ix.conference),
    last_rejected_by: ix.lastRejectedBy,
    workbin: ix.workbin,
    properties: JSON.stringify(ix.properties),
    customer_id: ix.customerId,
    created_at: ix.createdAt,
    queued_at: ix.queuedAt,
    updated_at: ix.updatedAt,
    completed_at: ix.completedAt,
    accepted_at: ix.acceptedAt,
    answered_at: ix.answeredAt,
    abandoned_at: ix.abandonedAt,
    priority: ix.priority,
    overflow_step: ix.overflowStep,
    customer_key: ix.customerKey,
    save_last_agent: ix.saveLastAgent ? 1 : 0,
  };
}

function toInteraction(row: Selectable<AgentInteractionsTable>): AgentInteraction {
  const invitation: Invitation | null =
    row.invited_id === null
      ? null
      : {
          agentId: row.invited_id,
          kind: (row.invitation_kind ?? "route") as Invitation["kind"],
          expiresAt: row.offer_expires_at === null ? null : int(row.offer_expires_at),
        };
  return {
    id: row.id,
    mediaType: row.media_type as Channel,
    state: row.state as WorkState,
    queue: row.queue,
    entryQueue: row.entry_queue,
    ownerId: row.owner_id,
    invitation,
    conference: JSON.parse(row.conference) as string[],
    lastRejectedBy: row.last_rejected_by,
    workbin: row.workbin,
    properties: JSON.parse(row.properties) as AgentInteraction["properties"],
    customerId: row.customer_id,
    createdAt: int(row.created_at),
    queuedAt: int(row.queued_at),
    updatedAt: int(row.updated_at),
    completedAt: row.completed_at === null ? null : int(row.completed_at),
    acceptedAt: row.accepted_at === null ? null : int(row.accepted_at),
    answeredAt: row.answered_at === null ? null : int(row.answered_at),
    abandonedAt: row.abandoned_at === null ? null : int(row.abandoned_at),
    priority: Number(row.priority),
    overflowStep: Number(row.overflow_step),
    customerKey: row.customer_key,
    saveLastAgent: Number(row.save_last_agent) === 1,
  };
}

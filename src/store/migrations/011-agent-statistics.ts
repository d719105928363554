/**
 * Agent statistics (issue 21): wrap-ups that hold an agent's slot after they complete work of a
 * queue with `wrapUpSeconds`, the log of every channel state an agent was in (start and end),
 * and when the agent who completed an interaction accepted it (handle time). No foreign keys to
 * users: deleting a user deletes their rows (sql/users.ts), and a sweep never fails on a user
 * deleted a moment before.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === "postgres";
  const int8 = pg ? "bigint" : "integer";
  await db.schema
    .createTable("agent_wrap_ups")
    /** An interaction completes once: it makes one wrap-up at most. */
    .addColumn("interaction_id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("queue", "text", (c) => c.notNull())
    .addColumn("started_at", int8, (c) => c.notNull())
    .addColumn("ends_at", int8, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("agent_wrap_ups_user").on("agent_wrap_ups").columns(["user_id", "channel"]).execute();
  await db.schema.createIndex("agent_wrap_ups_ends").on("agent_wrap_ups").column("ends_at").execute();
  await db.schema
    .createTable("agent_state_log")
    .addColumn("id", int8, (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    /** `Ready`, `NotReady` or `AfterCallWork` (a wrap-up on a Ready channel). */
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("started_at", int8, (c) => c.notNull())
    /** Null while it is the channel's current state. */
    .addColumn("ended_at", int8)
    .execute();
  // The open row of a channel is closed by (user_id, channel, ended_at null); a day's rows are read by user.
  await db.schema.createIndex("agent_state_log_user").on("agent_state_log").columns(["user_id", "channel", "ended_at"]).execute();
  await db.schema.createIndex("agent_state_log_ended").on("agent_state_log").column("ended_at").execute();
  /** When the owner at completion accepted it (a route offer or a transfer); null before this migration. */
  await db.schema.alterTable("agent_interactions").addColumn("accepted_at", int8).execute();
  // Interactions an agent completed in a day are read by owner and completion time.
  await db.schema.createIndex("agent_interactions_owner_completed").on("agent_interactions").columns(["owner_id", "completed_at"]).execute();
}

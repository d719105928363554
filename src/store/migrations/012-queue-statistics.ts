/**
 * Service levels (issue 21): each routed interaction records when it was answered (an agent
 * first accepted it) and when it was abandoned (its customer left before that), and the queue
 * it entered first, where statistics count it. A window's statistics are one aggregate over the
 * rows changed since the window began (`updated_at` is at or after every event of a row).
 * Rows from before this migration count in the queue they are in, never answered or abandoned.
 * The estimated wait's handle times are read by queue and completion.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .alterTable("agent_interactions")
    .addColumn("entry_queue", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await sql`update agent_interactions set entry_queue = queue`.execute(db);
  await db.schema.alterTable("agent_interactions").addColumn("answered_at", int8).execute();
  await db.schema.alterTable("agent_interactions").addColumn("abandoned_at", int8).execute();
  await db.schema.createIndex("agent_interactions_updated").on("agent_interactions").column("updated_at").execute();
  // The estimated wait reads a queue's last completions (averageHandleMs) whenever a customer would wait.
  await db.schema.createIndex("agent_interactions_queue_completed").on("agent_interactions").columns(["queue", "completed_at"]).execute();
}

/** Routing: queues and the interactions agents work (not yet history). */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .createTable("queues")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("skills", "text", (c) => c.notNull())
    .addColumn("created_at", int8, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("agent_interactions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("media_type", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("queue", "text", (c) => c.notNull())
    .addColumn("owner_id", "text")
    .addColumn("invited_id", "text")
    .addColumn("invitation_kind", "text")
    .addColumn("offer_expires_at", int8)
    /** JSON array of agent ids in conference with the owner. */
    .addColumn("conference", "text", (c) => c.notNull())
    .addColumn("last_rejected_by", "text")
    .addColumn("workbin", "text")
    .addColumn("properties", "text", (c) => c.notNull())
    .addColumn("customer_id", "text")
    .addColumn("created_at", int8, (c) => c.notNull())
    .addColumn("queued_at", int8, (c) => c.notNull())
    .addColumn("updated_at", int8, (c) => c.notNull())
    .addColumn("completed_at", int8)
    .execute();
  await db.schema.createIndex("agent_interactions_state").on("agent_interactions").columns(["state", "queued_at"]).execute();
  await db.schema.createIndex("agent_interactions_owner").on("agent_interactions").column("owner_id").execute();
  await db.schema.createIndex("agent_interactions_invited").on("agent_interactions").column("invited_id").execute();
  await db.schema
    .alterTable("agent_channels")
    .addColumn("idle_since", int8, (c) => c.notNull().defaultTo(0))
    .execute();
}

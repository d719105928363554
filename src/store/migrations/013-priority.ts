/**
 * Priority, overflow and last-agent routing (issue 21, items 3 and 4). An interaction carries its
 * routing priority (higher first) and how many of its queue's overflow steps it has reached; the
 * routing pass reads the queued ones by priority, then by wait, through a new index. A chat
 * carries the key of the customer it came from, and whether its last owner asked to be
 * remembered (GWS `saveLAR`); `last_agents` keeps, per customer, the agent whose chat ended last.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .alterTable("agent_interactions")
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("agent_interactions")
    .addColumn("overflow_step", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  /** `customer:<profile id>` or `gms_user:<proven name>`; null: a customer nobody vouched for. */
  await db.schema.alterTable("agent_interactions").addColumn("customer_key", "text").execute();
  /** 0 when the agent who owns it asked not to be remembered as the customer's last agent (saveLAR false). */
  await db.schema
    .alterTable("agent_interactions")
    .addColumn("save_last_agent", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex("agent_interactions_routing_order").on("agent_interactions").columns(["state", "priority desc", "queued_at", "id"]).execute();
  await db.schema
    .createTable("last_agents")
    .addColumn("customer_key", "text", (c) => c.primaryKey())
    .addColumn("agent_id", "text", (c) => c.notNull())
    .addColumn("ended_at", int8, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("last_agents_ended").on("last_agents").column("ended_at").execute();
}

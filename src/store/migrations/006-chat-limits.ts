/**
 * What the per-client chat limits need (issue 15): the address a service came from (open
 * services and chats are counted per address), each chat's transcript size in bytes, and the
 * chat's parties, so a nickname is stored once per chat and party instead of in every entry.
 * Entries written before keep their own `nick`; new ones name their party and leave it empty.
 * Contact history gets an index by start date, and completed interactions one by completion, for
 * the retention sweep.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("chat_services").addColumn("client_address", "text").execute();
  await db.schema
    .alterTable("chat_services")
    .addColumn("transcript_bytes", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("chat_services_address").on("chat_services").columns(["client_address", "ended"]).execute();
  await db.schema
    .createTable("chat_parties")
    .addColumn("interaction_id", "text", (c) => c.notNull())
    /** Numbered from 1 within the chat. */
    .addColumn("party", "integer", (c) => c.notNull())
    .addColumn("user_type", "text", (c) => c.notNull())
    .addColumn("nick", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("chat_parties_pk", ["interaction_id", "party"])
    .execute();
  await db.schema.createIndex("chat_parties_nick").on("chat_parties").columns(["interaction_id", "user_type", "nick"]).unique().execute();
  await db.schema.alterTable("chat_transcripts").addColumn("party", "integer").execute();
  await db.schema.createIndex("interactions_start").on("interactions").column("start_date").execute();
  await db.schema.createIndex("agent_interactions_completed").on("agent_interactions").columns(["state", "completed_at"]).execute();
}

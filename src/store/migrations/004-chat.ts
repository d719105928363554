/** Chat API v1: chat services (with their one chat) and chat transcripts. */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .createTable("chat_services")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("queue", "text", (c) => c.notNull())
    .addColumn("gms_user", "text")
    /** JSON object: the business data the service was created with. */
    .addColumn("data", "text", (c) => c.notNull())
    /** JSON {notificationId, os} or null. */
    .addColumn("device", "text")
    .addColumn("status", "text")
    .addColumn("created_at", int8, (c) => c.notNull())
    .addColumn("expires_at", int8, (c) => c.notNull())
    // The chat, once ixn/chat created it (one per service).
    .addColumn("interaction_id", "text", (c) => c.unique())
    .addColumn("notify_by", "text")
    .addColumn("nickname", "text")
    .addColumn("user_id", "text")
    .addColumn("secure_key", "text")
    .addColumn("time_zone_offset", "text")
    .addColumn("started_at", int8)
    .addColumn("ended", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_position", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("delivered", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("last_seen_at", int8)
    .addColumn("away_since", int8)
    .addColumn("pushed_position", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex("chat_services_expires").on("chat_services").column("expires_at").execute();
  await db.schema.createIndex("chat_services_user").on("chat_services").columns(["gms_user", "ended"]).execute();
  await db.schema.createIndex("chat_services_seen").on("chat_services").columns(["ended", "last_seen_at"]).execute();
  await db.schema
    .createTable("chat_transcripts")
    .addColumn("interaction_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("nick", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("at", int8, (c) => c.notNull())
    .addColumn("user_type", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("chat_transcripts_pk", ["interaction_id", "position"])
    .execute();
}

/** Agent side: users (agents, supervisors, admins), their login sessions and their state per channel. */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_name", "text", (c) => c.notNull().unique())
    .addColumn("first_name", "text", (c) => c.notNull())
    .addColumn("last_name", "text", (c) => c.notNull())
    /** JSON arrays and objects: roles, skills, capacity per channel. */
    .addColumn("roles", "text", (c) => c.notNull())
    .addColumn("skills", "text", (c) => c.notNull())
    .addColumn("capacity", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addColumn("created_at", int8, (c) => c.notNull())
    .addColumn("updated_at", int8, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("user_sessions")
    /** SHA-256 of the cookie's token: a leaked table opens no session. */
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", int8, (c) => c.notNull())
    .addColumn("expires_at", int8, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("user_sessions_user").on("user_sessions").column("user_id").execute();
  await db.schema
    .createTable("agent_channels")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("channel", "text", (c) => c.notNull())
    /** `Ready` or `NotReady`; a missing row is NotReady. */
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    /** When the state last changed (a Ready agent's idle time counts from here). */
    .addColumn("changed_at", int8, (c) => c.notNull())
    .addPrimaryKeyConstraint("agent_channels_pk", ["user_id", "channel"])
    .execute();
}

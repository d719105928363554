/**
 * Chat API v2 (issue 19): which API opened each chat (`api`, 1 before), a v2 chat found by its
 * secureKey alone (CometD clients send nothing else), file entries' details (`data`, JSON of
 * string values), and the files customers attach (their bytes live in the file store).
 */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .alterTable("chat_services")
    .addColumn("api", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex("chat_services_secure_key").on("chat_services").column("secure_key").execute();
  await db.schema.alterTable("chat_transcripts").addColumn("data", "text").execute();
  await db.schema
    .createTable("chat_files")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("interaction_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("size", int8, (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("uploaded_at", int8, (c) => c.notNull())
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("downloads", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("chat_files_chat").on("chat_files").column("interaction_id").execute();
}

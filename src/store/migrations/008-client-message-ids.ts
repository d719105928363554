/**
 * Idempotent sends (issue 20, item 3): a transcript entry may carry the id its sender gave it
 * (`clientMessageId`, stored with the sender it is scoped to), unique within its chat, so a send
 * retried after a lost reply finds its entry instead of adding a second one. Entries without one
 * (every entry before this, and every notice) leave it null: the index is partial, SQLite and
 * PostgreSQL both keep only the rows that have one.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("chat_transcripts").addColumn("client_message_id", "text").execute();
  await db.schema
    .createIndex("chat_transcripts_client_message")
    .on("chat_transcripts")
    .columns(["interaction_id", "client_message_id"])
    .unique()
    .where(sql.ref("client_message_id"), "is not", null)
    .execute();
}

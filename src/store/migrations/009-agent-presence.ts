/**
 * Agent presence in the database (issue 20): the node holding an agent's CometD clients renews
 * their row; a row past its expiry with no node renewing it means that node died, and any node's
 * sweep makes the agent NotReady, then after a grace period re-queues their chats. No foreign key
 * to users: a deleted user's row expires and is swept like any other, and a renewal never fails
 * on a user deleted a moment before.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .createTable("agent_presence")
    .addColumn("user_id", "text", (c) => c.primaryKey())
    /** The node that renewed it last (its Bayeux engine's id). */
    .addColumn("node_id", "text", (c) => c.notNull())
    .addColumn("expires_at", int8, (c) => c.notNull())
    /** When a sweep found it expired and made the agent NotReady; null while renewed. */
    .addColumn("orphaned_at", int8)
    .execute();
  await db.schema.createIndex("agent_presence_expires").on("agent_presence").column("expires_at").execute();
  await db.schema.createIndex("agent_presence_orphaned").on("agent_presence").column("orphaned_at").execute();
}

/**
 * Agent presence in SQL. The sweep's claims are conditional writes on the row (`orphaned_at`
 * still null and the row still expired; `orphaned_at` still the value read): on PostgreSQL a
 * second node's update waits for the first one's row lock and then finds the condition false, on
 * SQLite there is one writer. Either way two sweeps act once, and a renewal in between wins.
 */
import type { Kysely, Selectable } from "kysely";
import type { AgentPresence } from "../../domain/agent-presence.ts";
import type { AgentPresenceStore } from "../store.ts";
import type { Database } from "./schema.ts";
import { int } from "./values.ts";

type Row = Selectable<Database["agent_presence"]>;

export class SqlAgentPresenceStore implements AgentPresenceStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async renew(userIds: readonly string[], nodeId: string, expiresAt: number): Promise<void> {
    if (userIds.length === 0) return;
    await this.db
      .insertInto("agent_presence")
      .values(userIds.map((userId) => ({ user_id: userId, node_id: nodeId, expires_at: expiresAt, orphaned_at: null })))
      .onConflict((oc) =>
        oc.column("user_id").doUpdateSet((eb) => ({
          node_id: eb.ref("excluded.node_id"),
          expires_at: eb.ref("excluded.expires_at"),
          orphaned_at: null,
        })),
      )
      .execute();
  }

  async get(userId: string): Promise<AgentPresence | null> {
    const row = await this.db.selectFrom("agent_presence").selectAll().where("user_id", "=", userId).executeTakeFirst();
    return row === undefined ? null : toPresence(row);
  }

  async remove(userId: string, nodeId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("agent_presence").where("user_id", "=", userId).where("node_id", "=", nodeId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async expired(now: number, limit: number): Promise<AgentPresence[]> {
    const rows = await this.db
      .selectFrom("agent_presence")
      .selectAll()
      .where("expires_at", "<=", now)
      .where("orphaned_at", "is", null)
      .orderBy("expires_at")
      .limit(limit)
      .execute();
    return rows.map(toPresence);
  }

  async markOrphaned(userId: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable("agent_presence")
      .set({ orphaned_at: now })
      .where("user_id", "=", userId)
      .where("orphaned_at", "is", null)
      .where("expires_at", "<=", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async orphaned(orphanedBy: number, limit: number): Promise<AgentPresence[]> {
    const rows = await this.db.selectFrom("agent_presence").selectAll().where("orphaned_at", "<=", orphanedBy).orderBy("orphaned_at").limit(limit).execute();
    return rows.map(toPresence);
  }

  async claimOrphan(userId: string, orphanedAt: number): Promise<boolean> {
    const result = await this.db.deleteFrom("agent_presence").where("user_id", "=", userId).where("orphaned_at", "=", orphanedAt).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toPresence(row: Row): AgentPresence {
  return {
    userId: row.user_id,
    nodeId: row.node_id,
    expiresAt: int(row.expires_at),
    orphanedAt: row.orphaned_at === null ? null : int(row.orphaned_at),
  };
}

/**
 * Last-agent routing in SQL: one row per customer (their key), replaced when another of their
 * chats ends, and swept once older than the window (housekeeping), so the table stays as small
 * as the number of customers seen within LAST_AGENT_WINDOW_SECONDS.
 */
import type { Kysely } from "kysely";
import type { LastAgent } from "../../domain/last-agent.ts";
import type { LastAgentStore } from "../store.ts";
import type { Database } from "./schema.ts";
import { int } from "./values.ts";

export class SqlLastAgentStore implements LastAgentStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async remember(customerKey: string, agent: LastAgent): Promise<void> {
    await this.db
      .insertInto("last_agents")
      .values({ customer_key: customerKey, agent_id: agent.agentId, ended_at: agent.endedAt })
      .onConflict((oc) => oc.column("customer_key").doUpdateSet({ agent_id: agent.agentId, ended_at: agent.endedAt }))
      .execute();
  }

  async find(customerKeys: readonly string[]): Promise<Map<string, LastAgent>> {
    if (customerKeys.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("last_agents")
      .selectAll()
      .where("customer_key", "in", [...new Set(customerKeys)])
      .execute();
    return new Map(rows.map((row) => [row.customer_key, { agentId: row.agent_id, endedAt: int(row.ended_at) }]));
  }

  async forgetEndedBefore(before: number, limit: number): Promise<number> {
    const oldest = this.db.selectFrom("last_agents").select("customer_key").where("ended_at", "<", before).orderBy("ended_at").limit(limit);
    const result = await this.db.deleteFrom("last_agents").where("customer_key", "in", oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async forget(customerKey: string): Promise<void> {
    await this.db.deleteFrom("last_agents").where("customer_key", "=", customerKey).execute();
  }
}

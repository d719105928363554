/**
 * Routing's load as a column (issue 21): how many slots an agent's channel holds (offers, work,
 * conferences) is kept on its `agent_channels` row by every change that moves it, instead of
 * being counted from the interactions at each claim. Filled here from the interactions held now.
 */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("agent_channels")
    .addColumn("load", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  const held = await sql<{ media_type: string; owner_id: string | null; invited_id: string | null; conference: string }>`
    select media_type, owner_id, invited_id, conference from agent_interactions where state in ('Invited', 'Accepted')`.execute(db);
  const loads = new Map<string, number>();
  const take = (agentId: string | null, channel: string) => {
    if (agentId !== null) loads.set(`${agentId}\n${channel}`, (loads.get(`${agentId}\n${channel}`) ?? 0) + 1);
  };
  for (const row of held.rows) {
    take(row.owner_id, row.media_type);
    if (row.invited_id !== row.owner_id) take(row.invited_id, row.media_type);
    for (const agentId of JSON.parse(row.conference) as string[]) take(agentId, row.media_type);
  }
  for (const [key, load] of loads) {
    const [userId, channel] = key.split("\n") as [string, string];
    await sql`insert into agent_channels (user_id, channel, state, reason, changed_at, idle_since, load)
      values (${userId}, ${channel}, 'NotReady', null, 0, 0, ${load})
      on conflict (user_id, channel) do update set load = ${load}`.execute(db);
  }
}

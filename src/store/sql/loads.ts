/**
 * Routing's load (`agent_channels.load`): the slots an agent holds on a channel, moved in the
 * transaction of every change that takes or frees one (an interaction's insert and update, a
 * wrap-up started or ended). The one place its SQL is written; compiled once (prepared.ts).
 */
import { sql, type Kysely } from "kysely";
import type { Channel } from "../../domain/users.ts";
import { runPrepared } from "./prepared.ts";
import type { Database } from "./schema.ts";

/** A slot taken: the agent's row made (NotReady) when they never set a state, unless the user is gone. */
const takeSlots = (db: Kysely<Database>) => ({
  compile: () =>
    sql`insert into agent_channels (user_id, channel, state, reason, changed_at, idle_since, load)
    select id, ${""}, 'NotReady', null, 0, 0, ${0} from users where id = ${""}
    on conflict (user_id, channel) do update set load = agent_channels.load + ${0}`.compile(db),
});

/** Slots freed, never below 0. */
const freeSlots = (db: Kysely<Database>) => ({
  compile: () =>
    sql`update agent_channels set load = case when load + ${0} < 0 then 0 else load + ${0} end where user_id = ${""} and channel = ${""}`.compile(db),
});

/** Moves `agentId`'s load on `channel` by `delta` (parameters in the order they appear in the SQL). */
export async function moveLoad(db: Kysely<Database>, dialect: string, agentId: string, channel: Channel, delta: number): Promise<void> {
  if (delta > 0) await runPrepared(db, dialect, "agentChannels.takeSlots", takeSlots, [channel, delta, agentId, delta]);
  else if (delta < 0) await runPrepared(db, dialect, "agentChannels.freeSlots", freeSlots, [delta, delta, agentId, channel]);
}

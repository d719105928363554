/** The agent state log kept bounded (the housekeeping sweep); the statistics it feeds come with their endpoints. */
import { STATE_LOG_RETENTION_MS } from "../domain/agent-statistics.ts";
import type { ActionContext } from "./context.ts";

/** Log rows one sweep deletes at most; the next sweep takes the rest. */
const PURGE_BATCH = 1000;
/** Deletes state log rows that ended more than STATE_LOG_RETENTION_MS ago, a batch per sweep; returns how many. */
export async function purgeOldStateLog(ctx: ActionContext): Promise<number> {
  const before = ctx.now() - STATE_LOG_RETENTION_MS;
  return ctx.store.transaction((tx) => tx.agentStateLog.deleteEndedBefore(before, PURGE_BATCH));
}

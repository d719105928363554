/**
 * Server-side completion and expiry. Deadlines are columns in the store, so they survive
 * restarts; any node may sweep, and each service is re-checked under its row lock, so two
 * nodes sweeping at once complete or delete it once.
 */
import type { ActionContext } from "./context.ts";

/** How many services one sweep handles; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

/** Completes services (and their active states and tasks) idle past their auto-complete delay. */
export async function autoCompleteDue(ctx: ActionContext): Promise<number> {
  const now = ctx.now();
  let done = 0;
  for (const id of await ctx.store.services.dueForAutoComplete(now, SWEEP_BATCH)) {
    const completed = await ctx.store.transaction(async (tx) => {
      const service = await tx.services.get(id, { lock: true });
      if (service === null || service.completed !== null || service.autoCompleteAfter === null) return false;
      if (service.updatedAt + service.autoCompleteAfter * 1000 > now) return false;
      const event = { timestamp: new Date(now).toISOString() };
      await tx.tasks.completeAllActive(id, event, now);
      await tx.states.completeAllActive(id, event, now);
      await tx.services.update(id, { completed: event, completedAt: now });
      return true;
    });
    if (completed) done++;
  }
  return done;
}

/** Deletes services whose expiry (`cview/expiration`, `ttl`, `expiration_time`) has passed. */
export async function purgeExpired(ctx: ActionContext): Promise<number> {
  const now = ctx.now();
  let done = 0;
  for (const id of await ctx.store.services.expired(now, SWEEP_BATCH)) {
    const deleted = await ctx.store.transaction(async (tx) => {
      const service = await tx.services.get(id, { lock: true });
      if (service === null || service.expiresAt > now) return false;
      return tx.services.delete(id);
    });
    if (deleted) done++;
  }
  return done;
}

/** Deletes agent login sessions past their expiry. */
export async function purgeExpiredSessions(ctx: ActionContext): Promise<number> {
  const now = ctx.now();
  return ctx.store.transaction((tx) => tx.userSessions.deleteExpired(now));
}

/**
 * Deletes contact history older than CS_HISTORY_RETENTION (from its start), and the completed
 * interactions agents worked (their attached data) as old, a batch of each per sweep.
 */
export async function purgeOldHistory(ctx: ActionContext): Promise<number> {
  if (ctx.historyRetentionMs === null) return 0;
  const before = ctx.now() - ctx.historyRetentionMs;
  return ctx.store.transaction(
    async (tx) => (await tx.history.deleteStartedBefore(before, SWEEP_BATCH)) + (await tx.agentInteractions.deleteCompletedBefore(before, SWEEP_BATCH)),
  );
}

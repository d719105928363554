/**
 * Runs the housekeeping (Context Services auto-complete and expiry, expired agent sessions) every `intervalMs`. Work is
 * found from deadlines stored in the database, so a restart only delays it by one interval.
 */
import type { ActionContext } from "../actions/context.ts";
import { autoCompleteDue, purgeExpired, purgeExpiredSessions } from "../actions/housekeeping.ts";
import type { Logger } from "../logger.ts";

export interface Housekeeping {
  /** Runs one sweep now (also what the timer does). */
  sweep(): Promise<void>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function startHousekeeping(ctx: ActionContext, intervalMs: number, logger: Logger): Housekeeping {
  let running: Promise<void> | null = null;
  const sweep = (): Promise<void> => {
    // One sweep at a time: a slow database must not pile sweeps up.
    running ??= runOnce(ctx, logger).finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

async function runOnce(ctx: ActionContext, logger: Logger): Promise<void> {
  try {
    const completed = await autoCompleteDue(ctx);
    const purged = await purgeExpired(ctx);
    const sessions = await purgeExpiredSessions(ctx);
    if (completed > 0 || purged > 0 || sessions > 0) logger.info({ completed, purged, sessions }, "housekeeping");
  } catch (err) {
    logger.error({ err }, "context services housekeeping failed");
  }
}

/**
 * Runs routing: a pass when something may have changed (an interaction queued, capacity freed,
 * an agent Ready: `kick`) and on a timer (offers that expired, changes made on other nodes).
 * One pass at a time per node; a kick during a pass runs one more after it.
 */
import { expireOffers, recordReachedSteps, routeQueued } from "../actions/routing.ts";
import type { ActionContext } from "../actions/context.ts";
import type { Logger } from "../logger.ts";

export interface Router {
  kick(): void;
  /** Runs a pass now and resolves when no pass is running (tests). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export function startRouter(ctx: ActionContext, intervalMs: number, logger: Logger): Router {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let sweepDue = false;
  const pass = async () => {
    do {
      again = false;
      try {
        // Expired offers are looked for on the timer only: a kick comes with work to route. The
        // timer also reads every Ready agent again, repairing a view that missed a change.
        if (sweepDue) {
          sweepDue = false;
          await ctx.routing.view.reload();
          await expireOffers(ctx);
          await recordReachedSteps(ctx);
        }
        await routeQueued(ctx);
      } catch (err) {
        logger.error({ err }, "routing pass failed");
      }
    } while (again && !stopped);
  };
  const kick = () => {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(() => {
    sweepDue = true;
    kick();
  }, intervalMs);
  timer.unref();
  return {
    kick,
    async settle() {
      sweepDue = true;
      kick();
      while (running !== null) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

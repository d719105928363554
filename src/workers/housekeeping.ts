/**
 * Runs the housekeeping (Context Services auto-complete and expiry, expired agent sessions; chat:
 * silent customers, pushes to backgrounded apps, agent availability, expired chat services) every `intervalMs`. Work is
 * found from deadlines stored in the database, so a restart only delays it by one interval.
 */
import type { ActionContext } from "../actions/context.ts";
import { announceAvailability, endSilentChats, removeExpiredChatServices, sendBackgroundPushes } from "../actions/chat.ts";
import { autoCompleteDue, purgeExpired, purgeExpiredSessions, purgeOldHistory } from "../actions/housekeeping.ts";
import type { Logger } from "../logger.ts";

export interface Housekeeping {
  /** Runs one sweep now (also what the timer does). */
  sweep(): Promise<void>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Whether a customer (gms_user) has a CometD client on this node: a present customer's chat is not silent. */
export type CustomerPresence = (gmsUser: string) => boolean;

export function startHousekeeping(ctx: ActionContext, intervalMs: number, logger: Logger, present: CustomerPresence): Housekeeping {
  let running: Promise<void> | null = null;
  const sweep = (): Promise<void> => {
    // One sweep at a time: a slow database must not pile sweeps up.
    running ??= runOnce(ctx, logger, present).finally(() => {
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

async function runOnce(ctx: ActionContext, logger: Logger, present: CustomerPresence): Promise<void> {
  try {
    const completed = await autoCompleteDue(ctx);
    const purged = await purgeExpired(ctx);
    const sessions = await purgeExpiredSessions(ctx);
    const history = await purgeOldHistory(ctx);
    if (completed > 0 || purged > 0 || sessions > 0 || history > 0) logger.info({ completed, purged, sessions, historyDeleted: history }, "housekeeping");
  } catch (err) {
    logger.error({ err }, "context services housekeeping failed");
  }
  try {
    const silent = await endSilentChats(ctx, present);
    const pushed = await sendBackgroundPushes(ctx);
    await announceAvailability(ctx);
    const removed = await removeExpiredChatServices(ctx);
    if (silent > 0 || pushed > 0 || removed > 0)
      logger.info({ silentChatsEnded: silent, backgroundPushes: pushed, chatServicesRemoved: removed }, "chat housekeeping");
  } catch (err) {
    logger.error({ err }, "chat housekeeping failed");
  }
}

/**
 * Runs the housekeeping (Context Services auto-complete and expiry, expired agent sessions; chat:
 * silent customers, pushes to backgrounded apps, agent availability, expired chat services;
 * agents: wrap-ups whose time is up, the old state log) every `intervalMs`. Work is
 * found from deadlines stored in the database, so a restart only delays it by one interval.
 */
import type { ChatService } from "../domain/chat.ts";
import type { ActionContext } from "../actions/context.ts";
import { announceAvailability, endSilentChats, removeExpiredChatServices, sendBackgroundPushes } from "../actions/chat-sweeps.ts";
import { purgeOldStateLog } from "../actions/agent-statistics.ts";
import { endDueWrapUps } from "../actions/wrap-ups.ts";
import { forgetOldLastAgents } from "../actions/last-agents.ts";
import { autoCompleteDue, purgeExpired, purgeExpiredSessions, purgeOldHistory } from "../actions/housekeeping.ts";
import type { Logger } from "../logger.ts";
import { serialSweeps, type SerialSweeps } from "./sweeps.ts";

export type Housekeeping = SerialSweeps;

/** Whether a customer (gms_user) has a CometD client on this node: a present customer's chat is not silent. */
export type CustomerPresence = (service: ChatService) => boolean;

export function startHousekeeping(ctx: ActionContext, intervalMs: number, logger: Logger, present: CustomerPresence): Housekeeping {
  return serialSweeps(() => runOnce(ctx, logger, present), intervalMs);
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
    const forgotten = await forgetOldLastAgents(ctx);
    if (silent > 0 || pushed > 0 || removed > 0 || forgotten > 0)
      logger.info({ silentChatsEnded: silent, backgroundPushes: pushed, chatServicesRemoved: removed, lastAgentsForgotten: forgotten }, "chat housekeeping");
  } catch (err) {
    logger.error({ err }, "chat housekeeping failed");
  }
  try {
    const wrapUps = await endDueWrapUps(ctx);
    const logRows = await purgeOldStateLog(ctx);
    if (logRows > 0) logger.info({ wrapUpsEndedFor: wrapUps, stateLogRowsDeleted: logRows }, "agent housekeeping");
  } catch (err) {
    logger.error({ err }, "agent housekeeping failed");
  }
}

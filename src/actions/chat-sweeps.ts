/**
 * The chat sweeps workers/housekeeping.ts runs: end chats whose customer fell silent, push agent
 * messages to apps in the background, tell customers waiting on an advanced service that an agent
 * is free, and remove services past their time to live.
 */
import type { ChatService, TranscriptEntry } from "../domain/chat.ts";
import { commit } from "./after-commit.ts";
import { unrequestedOrigin } from "./chat-delivery.ts";
import { endInteraction, serviceStatus } from "./chat.ts";
import { appendEntries } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";
import { queueStanding } from "./routing.ts";

/** Keeps chats of customers with a live CometD client seen; ends those silent past the timeout. */
export async function endSilentChats(ctx: ActionContext, present: (service: ChatService) => boolean): Promise<number> {
  const now = ctx.now();
  const timeout = ctx.chat.customerTimeoutMs;
  const quiet = await ctx.store.chats.silent(now - timeout / 3, 500);
  const here = quiet.filter(present).map((s) => s.id);
  if (here.length > 0) await ctx.store.transaction((tx) => tx.chats.seen(here, now));
  let ended = 0;
  for (const silent of await ctx.store.chats.silent(now - timeout, 100)) {
    const done = await commit(ctx, async (tx, announce) => {
      const service = await tx.chats.get(silent.id, { lock: true });
      const chat = service?.chat;
      if (service == null || chat == null || chat.ended || chat.lastSeenAt >= now - timeout) return false;
      // Leaving always goes in, whatever the transcript's caps.
      const leaving = { ...service, chat: { ...chat, ended: true } };
      const left = await appendEntries(tx, ctx, leaving, [
        { type: "Notice.Left", nick: chat.nickname, text: "left the session (no answer)", userType: "CLIENT" },
      ]);
      const interaction = await endInteraction(tx, ctx, left.service, now, announce);
      announce.chat({ ...left, interaction, verbose: false, joined: [], origin: null });
      return true;
    });
    if (done) ended++;
  }
  return ended;
}

/** Agent messages a backgrounded app has not seen, past the service's delay, as push notifications. */
export async function sendBackgroundPushes(ctx: ActionContext): Promise<number> {
  const now = ctx.now();
  const delays = [...ctx.chat.services.values()].map((s) => s.push.backgroundDelayMs);
  let sent = 0;
  for (const away of await ctx.store.chats.awayDue(now - Math.min(...delays), 100)) {
    const settings = ctx.chat.services.get(away.name)?.push;
    if (settings === undefined || away.chat?.awaySince == null || away.chat.awaySince > now - settings.backgroundDelayMs) continue;
    const due = await ctx.store.transaction(async (tx) => {
      const service = await tx.chats.get(away.id, { lock: true });
      const chat = service?.chat;
      if (service == null || chat == null || chat.awaySince === null || chat.pushedPosition >= chat.nextPosition) return null;
      const entries = await tx.chats.transcript(chat.interactionId, chat.pushedPosition, 100);
      await tx.chats.save({ ...service, chat: { ...chat, pushedPosition: chat.nextPosition } });
      return { service, entries: entries.filter((e) => e.userType === "AGENT" && e.type === "Message.Text") };
    });
    const last = due?.entries.at(-1);
    if (due == null || last === undefined) continue;
    const target = { serviceId: due.service.id, gmsUser: due.service.gmsUser, device: due.service.device };
    if (!ctx.push.canReach(settings, target)) continue;
    // A push dropped because too many wait is not retried: see push/push.ts.
    if (ctx.push.send(settings, target, { action: "chat", message: last.text, lastTranscript: due.entries.map(asPushEntry) })) sent++;
  }
  return sent;
}

function asPushEntry(e: TranscriptEntry): Record<string, string> {
  return { [e.type]: e.text };
}

/** Tells customers waiting on an advanced service that an agent became available (or not). */
export async function announceAvailability(ctx: ActionContext): Promise<number> {
  const waiting = await ctx.store.chats.waiting(500);
  const byQueue = new Map<string, boolean>();
  let told = 0;
  for (const service of waiting) {
    let available = byQueue.get(service.queue);
    if (available === undefined) {
      available = (await queueStanding(ctx, service.queue, "chat")).agentAvailable;
      byQueue.set(service.queue, available);
    }
    if (!available) continue;
    await serviceStatus(
      ctx,
      service.id,
      { gmsUser: service.gmsUser, gmsUserProven: false, customerId: null, address: service.clientAddress ?? "", origin: unrequestedOrigin(ctx) },
      { verbose: false },
    );
    told++;
  }
  return told;
}

/**
 * Removes services past their time to live (an open chat keeps its service), with their files'
 * bytes (v2): once the rows are gone, nothing names those bytes any more.
 */
export async function removeExpiredChatServices(ctx: ActionContext): Promise<number> {
  const ids = await ctx.store.chats.expired(ctx.now(), 500);
  for (const id of ids) {
    const files = await ctx.store.transaction(async (tx) => {
      const service = await tx.chats.get(id, { lock: true });
      const attached = service?.chat == null ? [] : await tx.chats.filesOf(service.chat.interactionId);
      await tx.chats.delete(id);
      return attached;
    });
    for (const file of files)
      await ctx.chat.files.store.delete(file.id).catch((err: unknown) => ctx.logger.warn({ err }, "could not remove an expired chat's file"));
  }
  return ids.length;
}

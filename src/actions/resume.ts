/**
 * A client that handshakes again (its node died, its network dropped, its server restarted)
 * may have missed pushes: what was queued for it on the old node is gone with it. parley sends
 * the new client what it needs without waiting to be asked, to that client alone:
 *
 * - an agent: a `NewInteraction` for each invitation waiting for them, and each chat they work
 *   on, whole (entries carry their `index`: a desktop keeps those it lacks);
 * - a Chat API v1 customer whose handshake names `ext.transcriptPosition`: each open chat of
 *   theirs pushed over CometD, from that position on. (Chat API v2 clients say where they are in
 *   `requestNotifications`, which answers with what they missed.)
 */
import { viewState, type AgentInteraction } from "../domain/agent-interactions.ts";
import { chatAgents } from "../domain/chat.ts";
import { parsePosition } from "../domain/chat-input.ts";
import { interactionMessage } from "../wire/agent-api.ts";
import { CHATS_CHANNEL, chatStateMessage } from "../wire/agent-chats.ts";
import { chatObject, customerPush, refreshTag } from "../wire/chat-v1.ts";
import { sendWholeTranscript, unrequestedOrigin, type ChatPushes } from "./chat-delivery.ts";
import type { ActionContext } from "./context.ts";

/** Sends one message to the client that handshook (subscribed or not yet). */
export type ToClient = (channel: string, data: unknown) => void;

export async function resumeAgent(ctx: ActionContext, agentId: string, send: ToClient): Promise<void> {
  const pushes: ChatPushes = { deliver: (_endpoint, _identity, channel, data) => send(channel, data), deliverToTopic: () => {} };
  for (const ix of await ctx.store.agentInteractions.involving(agentId)) {
    if (isInvitedHere(ix, agentId)) {
      const state = viewState(ix, agentId);
      send("/v2/me/interactions", interactionMessage(ix, agentId, "NewInteraction", ctx.agentApiBase, { state }));
      if (ix.mediaType === "chat") send(CHATS_CHANNEL, chatStateMessage(ix, agentId, "StatusChange", ctx.agentApiBase, state));
    } else if (ix.mediaType === "chat" && chatAgents(ix).includes(agentId)) {
      const service = await ctx.store.chats.byInteraction(ix.id);
      if (service !== null) await sendWholeTranscript(ctx, ix, service, [agentId], pushes);
    }
  }
}

function isInvitedHere(ix: AgentInteraction, agentId: string): boolean {
  return ix.invitation?.agentId === agentId;
}

/** A v1 customer's handshake `ext`: with a `transcriptPosition`, their open CometD-mode chats from there on. */
export async function resumeCustomer(ctx: ActionContext, gmsUser: string, ext: unknown, send: ToClient): Promise<void> {
  const raw = typeof ext === "object" && ext !== null ? (ext as Record<string, unknown>).transcriptPosition : undefined;
  let from: number | null;
  try {
    from = parsePosition(raw);
  } catch {
    return; // A position that is not one asks for nothing (the handshake itself stands).
  }
  if (from === null) return;
  for (const service of await ctx.store.chats.openChatsOf(gmsUser)) {
    const chat = service.chat;
    if (chat === null || chat.api === 2 || chat.notifyBy !== "comet") continue;
    const entries = await ctx.store.chats.transcript(chat.interactionId, from, ctx.chat.maxTranscriptEntries + 1000);
    if (entries.length === 0) continue;
    const message = chatObject({ ...service, chat }, "TRANSCRIPT", entries, false, unrequestedOrigin(ctx));
    send("/_genesys", customerPush(refreshTag(service.id), message));
  }
}

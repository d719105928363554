/**
 * Agent state per channel: Ready or NotReady (GWS `userState`), changed by the agent or, when
 * their desktop is gone, by parley. Every change is notified on `/v2/me/channels` and logged
 * (actions/channel-states.ts). Ready also ends the channel's wrap-ups (after-call work).
 */
import { LOGGED_OUT, parseStateOperation, PRESENCE_LOST, type AgentStateOperation, type ChannelState } from "../domain/agent-state.ts";
import { CHANNELS, type Channel, type User } from "../domain/users.ts";
import type { ReportedChannel } from "../domain/wrap-up.ts";
import { commit } from "./after-commit.ts";
import { changeReported, reportedChannels } from "./channel-states.ts";
import type { ActionContext } from "./context.ts";
import { withdrawOffers } from "./routing.ts";

/** The agent-state operations desktops offer (GWS settings group `agent-states`). */
export function agentStateSettings(ctx: ActionContext): readonly AgentStateOperation[] {
  return ctx.agentStates;
}

export async function listChannels(ctx: ActionContext, user: User): Promise<ReportedChannel[]> {
  return reportedChannels(ctx.store, user.id);
}

/** Ready or NotReady on the given channels (all of them for `POST /me`); returns every channel's state. */
export async function changeChannels(
  ctx: ActionContext,
  user: User,
  channels: readonly Channel[],
  operationName: string,
  reason?: string,
): Promise<ReportedChannel[]> {
  const change = parseStateOperation(operationName, reason, ctx.agentStates);
  return setChannels(ctx, user.id, channels, change);
}

/**
 * GWS `EndContactCenterSession`: the agent leaves the contact center. NotReady on every channel,
 * their pending offers go to the next agent, and their CometD clients are closed on every node
 * (the caller ends the login session itself).
 */
export async function endContactCenterSession(ctx: ActionContext, user: User): Promise<void> {
  await setChannels(ctx, user.id, CHANNELS, { state: "NotReady", reason: LOGGED_OUT });
  await withdrawOffers(ctx, user.id);
  ctx.notifier.revoke("agent", user.id);
}

/**
 * Logout: the agent's CometD WebSockets opened with these credentials (`credentialKeys` of the
 * logging-out request) close on every node, with the clients handshaken over them; requests
 * over HTTP authenticate each time and already fail. Other desktops of theirs go on.
 */
export function closeClientsOf(ctx: ActionContext, user: User, credentials: readonly string[]): void {
  if (credentials.length > 0) ctx.notifier.revoke("agent", user.id, credentials);
}

/** The agent's last CometD client is gone: NotReady everywhere, so nothing is offered to no one. */
export async function presenceLost(ctx: ActionContext, userId: string): Promise<void> {
  const current = await ctx.store.agentChannels.list(userId);
  const ready = current.filter((s) => s.state === "Ready").map((s) => s.channel);
  if (ready.length > 0) await setChannels(ctx, userId, ready, { state: "NotReady", reason: PRESENCE_LOST });
}

async function setChannels(
  ctx: ActionContext,
  userId: string,
  channels: readonly Channel[],
  change: Pick<ChannelState, "state" | "reason">,
): Promise<ReportedChannel[]> {
  return commit(ctx, async (tx, announce) => {
    if ((await tx.users.get(userId)) === null) return [];
    const now = ctx.now();
    const { states } = await changeReported(tx, userId, now, async () => {
      for (const channel of channels) await tx.agentChannels.set(userId, { channel, ...change, changedAt: now });
      // Ready ends the after-call work on those channels: the agent says their notes are done.
      if (change.state === "Ready") await tx.wrapUps.end(userId, channels);
    });
    announce.channels(userId, states);
    if (change.state === "Ready") announce.route();
    return states;
  });
}

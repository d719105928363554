/**
 * The agents, as a colleague picking a transfer target sees them (name and state per channel) and
 * as a supervisor watching the floor does (also their load and the interactions they hold).
 * Disabled users are not listed: nobody can hand them work.
 */
import { seesAgentsWork } from "../access/users.ts";
import type { AgentInteraction } from "../domain/agent-interactions.ts";
import { allChannels } from "../domain/agent-state.ts";
import { reportChannels, type ReportedChannel } from "../domain/wrap-up.ts";
import { CHANNELS, type Channel, type User } from "../domain/users.ts";
import { allInteractions } from "./agent-interactions.ts";
import type { ActionContext } from "./context.ts";

export interface AgentView {
  user: User;
  /** As reported: AfterCallWork where a wrap-up holds a Ready channel. */
  channels: ReportedChannel[];
  /** For supervisors and admins: what the agent holds per channel, and the interactions they own, are offered or confer on. */
  work: { load: Record<Channel, number>; interactions: AgentInteraction[] } | null;
}

export async function listAgents(ctx: ActionContext, actor: User): Promise<AgentView[]> {
  const [users, stored, wrapUps] = await Promise.all([ctx.store.users.list(), ctx.store.agentChannels.listAll(), ctx.store.wrapUps.running()]);
  const enabled = users.filter((u) => u.enabled);
  const channelsOf = (user: User) =>
    reportChannels(
      allChannels(stored.get(user.id) ?? []),
      wrapUps.filter((w) => w.userId === user.id),
    );
  if (!seesAgentsWork(actor)) return enabled.map((user) => ({ user, channels: channelsOf(user), work: null }));

  const [loads, active] = await Promise.all([
    Promise.all(CHANNELS.map((channel) => ctx.store.agentInteractions.loads(channel))),
    // What GET /api/v2/interactions lists: every active interaction, as far as it reads.
    allInteractions(ctx, actor),
  ]);
  const held = new Map<string, AgentInteraction[]>();
  for (const ix of active) {
    for (const agentId of involved(ix)) {
      const list = held.get(agentId);
      if (list === undefined) held.set(agentId, [ix]);
      else list.push(ix);
    }
  }
  return enabled.map((user) => ({
    user,
    channels: channelsOf(user),
    work: {
      load: Object.fromEntries(CHANNELS.map((channel, i) => [channel, loads[i]?.get(user.id) ?? 0])) as Record<Channel, number>,
      interactions: held.get(user.id) ?? [],
    },
  }));
}

/** The agents an interaction is with now: its owner (parked work too), conference members, the invitee. */
function involved(ix: AgentInteraction): Set<string> {
  const ids = new Set(ix.conference);
  if (ix.ownerId !== null) ids.add(ix.ownerId);
  if (ix.invitation !== null) ids.add(ix.invitation.agentId);
  return ids;
}

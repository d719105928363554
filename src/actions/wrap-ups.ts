/**
 * Wrap-ups (domain/wrap-up.ts): started in the transaction that completes an agent's interaction,
 * ended when the agent says Ready on that channel (actions/agent-state.ts) or, here, by the
 * housekeeping sweep once their time is up. Ending frees the slot, so routing runs again.
 */
import { wrapUpAfter } from "../domain/wrap-up.ts";
import type { AgentInteraction } from "../domain/agent-interactions.ts";
import type { Store } from "../store/store.ts";
import { commit, type Announcements } from "./after-commit.ts";
import { changeReported } from "./channel-states.ts";
import type { ActionContext } from "./context.ts";

/** Agents one sweep ends wrap-ups for; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

/**
 * `agentId` completed `ix` at `now` (inside that transaction): the wrap-up its queue asks for holds
 * a slot, and a channel they had Ready turns AfterCallWork (told on /v2/me/channels).
 */
export async function startWrapUp(tx: Store, ctx: ActionContext, announce: Announcements, ix: AgentInteraction, agentId: string, now: number): Promise<void> {
  const wrapUp = wrapUpAfter(ix, agentId, ctx.routing.policy(ix.queue), now);
  if (wrapUp === null) return;
  const { states, moved } = await changeReported(tx, agentId, now, () => tx.wrapUps.insert(wrapUp));
  if (moved) announce.channels(agentId, states);
}

/** Ends the wrap-ups whose time is up; returns for how many agents. */
export async function endDueWrapUps(ctx: ActionContext): Promise<number> {
  const now = ctx.now();
  let agents = 0;
  for (const userId of await ctx.store.wrapUps.dueAgents(now, SWEEP_BATCH)) {
    if (await endDueOf(ctx, userId, now)) agents++;
  }
  return agents;
}

/** One agent's due wrap-ups, re-checked in the transaction (another node's sweep, or their Ready, may have ended them). */
async function endDueOf(ctx: ActionContext, userId: string, now: number): Promise<boolean> {
  return commit(ctx, async (tx, announce) => {
    let ended = 0;
    const { states, moved } = await changeReported(tx, userId, now, async () => {
      ended = await tx.wrapUps.endDue(userId, now);
    });
    if (ended === 0) return false;
    if (moved) announce.channels(userId, states);
    // Their load dropped, whatever their state shows: routing reads them again.
    announce.agentsChanged(userId);
    announce.route();
    return true;
  });
}

/**
 * Agent presence across nodes (issue 20; the rules are domain/agent-presence.ts). The node
 * holding an agent's CometD clients renews their row; every node's sweep finds agents whose row
 * nobody renewed (their node died): NotReady at once and their offers withdrawn, then after
 * AGENT_ORPHAN_GRACE_MS their accepted chats back in the queue with a notice to the customer.
 * Each step is claimed in the database (store/sql/agent-presence.ts), so it happens once.
 */
import { AGENT_LOST_NOTICE, isAbsent, orphanedBy, presenceExpiry, releaseAbsentAgent, tookTheirWork, type AgentPresence } from "../domain/agent-presence.ts";
import { PRESENCE_LOST } from "../domain/agent-state.ts";
import { changeReported } from "./channel-states.ts";
import { commit } from "./after-commit.ts";
import { recordAgentChanges } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";
import { withdrawOffers } from "./routing.ts";

/** Rows one sweep looks at; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

/** Agents one renewal statement writes: four values each stay far below SQLite's and PostgreSQL's bound on parameters. */
const RENEW_BATCH = 500;

/** These agents have CometD clients on `nodeId`: present for another AGENT_PRESENCE_TTL_MS (and no longer orphaned). */
export async function renewPresence(ctx: ActionContext, userIds: readonly string[], nodeId: string, ttlMs: number): Promise<void> {
  const expiresAt = presenceExpiry(ctx.now(), ttlMs);
  for (let i = 0; i < userIds.length; i += RENEW_BATCH) await ctx.store.agentPresence.renew(userIds.slice(i, i + RENEW_BATCH), nodeId, expiresAt);
}

/** The agent's last client on `nodeId` left normally: their row goes (unless another node renewed it since). */
export async function forgetPresence(ctx: ActionContext, userId: string, nodeId: string): Promise<void> {
  await ctx.store.agentPresence.remove(userId, nodeId);
}

/**
 * Agents whose presence expired unrenewed and who have no client here (`hasLocalClient`): each
 * made NotReady (Disconnected) on their Ready channels and their offers withdrawn. Returns how many.
 */
export async function markAbsentAgents(ctx: ActionContext, hasLocalClient: (userId: string) => boolean): Promise<number> {
  let marked = 0;
  for (const presence of await ctx.store.agentPresence.expired(ctx.now(), SWEEP_BATCH)) {
    if (!isAbsent(presence, ctx.now(), hasLocalClient(presence.userId))) continue;
    if (!(await markAbsent(ctx, presence.userId))) continue;
    await withdrawOffers(ctx, presence.userId);
    marked++;
  }
  return marked;
}

/** Claims the agent's row as orphaned and makes them NotReady, in one transaction; false when another node did or they came back. */
async function markAbsent(ctx: ActionContext, userId: string): Promise<boolean> {
  return commit(ctx, async (tx, announce) => {
    const now = ctx.now();
    if (!(await tx.agentPresence.markOrphaned(userId, now))) return false;
    const ready = (await tx.agentChannels.list(userId)).filter((s) => s.state === "Ready");
    if (ready.length === 0) return true;
    const { states } = await changeReported(tx, userId, now, async () => {
      for (const { channel } of ready) await tx.agentChannels.set(userId, { channel, state: "NotReady", reason: PRESENCE_LOST, changedAt: now });
    });
    announce.channels(userId, states);
    return true;
  });
}

/** Absent agents whose grace is over: their work goes on without them (accepted chats re-queued). Returns how many interactions moved. */
export async function releaseAbsentAgents(ctx: ActionContext, graceMs: number): Promise<number> {
  let released = 0;
  for (const presence of await ctx.store.agentPresence.orphaned(orphanedBy(ctx.now(), graceMs), SWEEP_BATCH)) {
    released += await releaseWork(ctx, presence);
  }
  return released;
}

/**
 * In one transaction: the orphaned row claimed (deleted; nothing happens when the agent came
 * back or another node took it), then each interaction they are on released, the customer of a
 * chat taken from them told they will be connected to someone else.
 */
async function releaseWork(ctx: ActionContext, presence: AgentPresence): Promise<number> {
  const { userId, orphanedAt } = presence;
  if (orphanedAt === null) return 0;
  return commit(ctx, async (tx, announce) => {
    if (!(await tx.agentPresence.claimOrphan(userId, orphanedAt))) return 0;
    let released = 0;
    for (const ix of await tx.agentInteractions.involving(userId)) {
      const outcome = releaseAbsentAgent(ix, userId, ctx.now());
      if (outcome === null || !(await tx.agentInteractions.update(outcome.next, ix))) continue;
      announce.outcome(outcome);
      announce.chat(await recordAgentChanges(tx, ctx, ix, outcome.next, tookTheirWork(ix, outcome.next, userId) ? [AGENT_LOST_NOTICE] : []));
      released++;
    }
    return released;
  });
}

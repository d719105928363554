/**
 * The routing engine's actions: offer queued interactions to Ready agents, take back offers that
 * expired or whose agent is gone, and answer "how does this queue stand". The choice itself is
 * domain/routing.ts; here it is claimed in the database, so one interaction is never offered to
 * two agents, also with several nodes (a conditional update, and the agent's row locked while
 * their capacity is counted).
 */
import { expireOffer, offer, type AgentInteraction } from "../domain/agent-interactions.ts";
import { chooseAgent, qualifies, routable, type Candidate, type Queue } from "../domain/routing.ts";
import type { Channel } from "../domain/users.ts";
import type { ActionContext } from "./context.ts";
import { commit } from "./after-commit.ts";

/** Interactions one pass looks at; the next pass takes the rest. */
const ROUTE_BATCH = 500;

/** Offers queued interactions, longest waiting first; returns how many were offered. */
export async function routeQueued(ctx: ActionContext): Promise<number> {
  const queued = await ctx.store.agentInteractions.queued(ROUTE_BATCH);
  if (queued.length === 0) return 0;
  const queues = new Map((await ctx.store.queues.list()).map((q) => [q.name, q]));
  const candidates = new Map<Channel, Candidate[]>();
  let offered = 0;
  // Choose for every waiting interaction first, counting each choice against the agent at once;
  // the claims then run together (one commit on SQLite, row locks on PostgreSQL).
  const claims: Promise<void>[] = [];
  for (const ix of queued) {
    const pool = candidates.get(ix.mediaType) ?? (await candidatesFor(ctx, ix.mediaType));
    candidates.set(ix.mediaType, pool);
    const now = ctx.now();
    const queue: Queue = queues.get(ix.queue) ?? { name: ix.queue, skills: [], createdAt: 0 };
    const declinedBy = ix.lastRejectedBy !== null && now < ix.queuedAt + ctx.routing.offerTimeoutMs ? ix.lastRejectedBy : null;
    const pick = chooseAgent(pool, queue, declinedBy);
    if (pick === null) continue;
    pick.load++;
    pick.idleSince = now;
    claims.push(
      claimOffer(ctx, ix, pick, now).then((result) => {
        if (result === "offered") offered++;
      }),
    );
  }
  await Promise.all(claims);
  return offered;
}

async function claimOffer(ctx: ActionContext, ix: AgentInteraction, pick: Candidate, now: number): Promise<"offered" | "full" | "taken"> {
  return commit(ctx, async (tx, announce) => {
    await tx.agentChannels.lock(pick.agentId, ix.mediaType);
    const fresh = await tx.agentInteractions.get(ix.id, { lock: true });
    if (fresh === null || fresh.state !== "Queued") return "taken";
    if ((await tx.agentInteractions.load(pick.agentId, ix.mediaType)) >= pick.capacity) return "full";
    const outcome = offer(fresh, pick.agentId, now, ctx.routing.offerTimeoutMs);
    if (!(await tx.agentInteractions.update(outcome.next, { updatedAt: fresh.updatedAt, state: "Queued" }))) return "taken";
    await tx.agentChannels.touch(pick.agentId, ix.mediaType, now);
    announce.outcome(outcome);
    return "offered";
  });
}

/** Ready agents of a channel that routing may offer to (ROUTING_ROLES), with their capacity and what they hold now. */
async function candidatesFor(ctx: ActionContext, media: Channel): Promise<Candidate[]> {
  const [ready, loads] = await Promise.all([ctx.store.agentChannels.ready(media), ctx.store.agentInteractions.loads(media)]);
  return ready
    .filter((agent) => routable(agent.roles, ctx.routing.roles))
    .map((agent) => ({
      agentId: agent.userId,
      skills: agent.skills,
      capacity: agent.capacity,
      load: loads.get(agent.userId) ?? 0,
      idleSince: agent.idleSince,
    }));
}

/** Takes back routing offers whose time is up; they go to the next agent. */
export async function expireOffers(ctx: ActionContext): Promise<number> {
  let expired = 0;
  for (const ix of await ctx.store.agentInteractions.expiredOffers(ctx.now(), ROUTE_BATCH)) {
    if (await takeBackOffer(ctx, ix.id, (fresh, now) => fresh.invitation?.kind === "route" && (fresh.invitation.expiresAt ?? Infinity) <= now)) expired++;
  }
  return expired;
}

/** An agent is gone (NotReady by presence): their open routing offers go to someone else. */
export async function withdrawOffers(ctx: ActionContext, agentId: string): Promise<number> {
  let withdrawn = 0;
  for (const ix of await ctx.store.agentInteractions.involving(agentId)) {
    if (ix.state !== "Invited" || ix.invitation?.agentId !== agentId) continue;
    if (await takeBackOffer(ctx, ix.id, (fresh) => fresh.invitation?.kind === "route" && fresh.invitation.agentId === agentId)) withdrawn++;
  }
  if (withdrawn > 0) ctx.routing.kick();
  return withdrawn;
}

async function takeBackOffer(ctx: ActionContext, id: string, stillDue: (ix: AgentInteraction, now: number) => boolean): Promise<boolean> {
  return commit(ctx, async (tx, announce) => {
    const fresh = await tx.agentInteractions.get(id, { lock: true });
    const now = ctx.now();
    if (fresh === null || fresh.state !== "Invited" || !stillDue(fresh, now)) return false;
    const result = expireOffer(fresh, now);
    if (!(await tx.agentInteractions.update(result.next, { updatedAt: fresh.updatedAt, state: "Invited" }))) return false;
    announce.outcome(result);
    return true;
  });
}

export interface QueueStanding {
  /** Interactions waiting in the queue. */
  waiting: number;
  /** 1-based place of `interactionId` among them (longest waiting first); null when it does not wait there. */
  position: number | null;
  /** Whether a Ready agent qualified for the queue has free capacity for this media now. */
  agentAvailable: boolean;
  /**
   * Seconds until `interactionId` is likely offered: its place in line, spread over the Ready
   * qualified agents, times the queue's recent handling time; null without history or position.
   */
  estimatedWaitSeconds: number | null;
}

/** Completed interactions the handling-time average looks back on. */
const HANDLE_SAMPLE = 100;

/** How a queue stands for an interaction of `media` (the chat API's advanced service asks this). */
export async function queueStanding(ctx: ActionContext, queueName: string, media: Channel, interactionId?: string): Promise<QueueStanding> {
  const queue = (await ctx.store.queues.get(queueName)) ?? { name: queueName, skills: [], createdAt: 0 };
  // Customers poll this (the chat API's status): counts in SQL, never the queue itself.
  const { waiting, position } = await ctx.store.agentInteractions.queuePosition(queueName, interactionId ?? null);
  const candidates = await candidatesFor(ctx, media);
  const available = chooseAgent(candidates, queue, null) !== null;
  const serving = candidates.filter((c) => qualifies(c.skills, queue.skills)).length;
  const handleMs = position === null ? null : await ctx.store.agentInteractions.averageHandleMs(queueName, HANDLE_SAMPLE);
  const estimatedWaitSeconds = position === null || handleMs === null ? null : Math.ceil((Math.ceil(position / Math.max(1, serving)) * handleMs) / 1000);
  return { waiting, position, agentAvailable: available, estimatedWaitSeconds };
}

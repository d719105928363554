/**
 * The routing engine's actions: offer new and queued interactions to Ready agents, take back
 * offers that expired or whose agent is gone, and answer "how does this queue stand". The choice
 * itself is domain/routing.ts, made from this node's view of the agents (routing-view.ts); the
 * claim is decided in the database (the agent's slot reserved under its capacity, the
 * interaction updated only if still Queued as read), so one interaction is never offered to two
 * agents, nor an agent past capacity, also with several nodes and a stale view.
 */
import { expireOffer, offer, type AgentInteraction } from "../domain/agent-interactions.ts";
import { estimatedWaitSeconds, isFull } from "../domain/queue-capacity.ts";
import { chooseAgent, qualifies, type Candidate, type Queue } from "../domain/routing.ts";
import type { LastAgent } from "../domain/last-agent.ts";
import { routingRequirements, type Requirements } from "../domain/overflow.ts";
import { chooseAgentFor, planRouting, type Planned } from "../domain/routing-plan.ts";
import { CHANNELS, type Channel } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import type { ActionContext } from "./context.ts";
import { commit, type Announcements } from "./after-commit.ts";
import { lastAgentOf, lastAgentsFor } from "./last-agents.ts";
import { demandOf, recordOverflowSteps } from "./overflow.ts";

/** Interactions one pass looks at, at most; the next pass takes the rest. */
const ROUTE_BATCH = 500;
/** A pass reads this many waiting interactions per free slot (some wait for skills the free agents lack), and at least MIN_READ. */
const READ_PER_FREE_SLOT = 4;
const MIN_READ = 50;

/** A claim lost to a change made since the interaction was read: its transaction is rolled back. */
const TAKEN = new Error("taken meanwhile");

/** Offers queued interactions, highest priority first, then longest waiting; returns how many were offered. */
export async function routeQueued(ctx: ActionContext): Promise<number> {
  const free = await freeSlots(ctx);
  if (free === 0) return 0;
  // Read no more than could be offered now (with room for skills that do not match): a long
  // queue costs a pass what it can place, not its length.
  const queued = await ctx.store.agentInteractions.queued(Math.min(ROUTE_BATCH, Math.max(MIN_READ, free * READ_PER_FREE_SLOT)));
  if (queued.length === 0) return 0;
  const passStart = ctx.now();
  const planned = await planWithSteps(ctx, queued, passStart);
  const lastAgents = await lastAgentsFor(ctx, queued, passStart);
  let offered = 0;
  let lost = false;
  // Choose for every waiting interaction first, counting each choice against the agent at once
  // in the view; the claims then run together (one commit on SQLite, row locks on PostgreSQL).
  const claims: Promise<void>[] = [];
  for (const { ix, requirements } of planned) {
    const pool = await ctx.routing.view.candidates(ix.mediaType);
    const now = ctx.now();
    const lastAgent = ix.customerKey === null ? null : (lastAgents.get(ix.customerKey) ?? null);
    const pick = chooseFor(ctx, ix, requirements, lastAgent, pool.values(), now);
    if (pick === null) continue;
    countChoice(pick, now);
    claims.push(
      claimOffer(ctx, ix, pick, now).then((result) => {
        if (result === "offered") offered++;
        else lost = true;
      }),
    );
  }
  await Promise.all(claims);
  // A claim the view got wrong (the agent was full, or gone) read the agent again: one more pass
  // chooses with what is true now.
  if (lost) ctx.routing.kick();
  return offered;
}

/**
 * Writes the overflow steps the waiting interactions have reached (routing's timer): a pass
 * kicked by a change reads only what it can place, and none while every agent is busy, but a
 * step (a raised priority, the step shown to supervisors) is due by the clock alone.
 */
export async function recordReachedSteps(ctx: ActionContext): Promise<void> {
  const queued = await ctx.store.agentInteractions.queued(ROUTE_BATCH);
  if (queued.length > 0) await planWithSteps(ctx, queued, ctx.now());
}

/**
 * The order `queued` is routed in (priority, overflow raises included, then wait), each with
 * what it asks now; the overflow steps newly reached are written first.
 */
async function planWithSteps(ctx: ActionContext, queued: readonly AgentInteraction[], now: number): Promise<Planned[]> {
  const queues = new Map((await ctx.store.queues.list()).map((q) => [q.name, q]));
  return recordOverflowSteps(
    ctx,
    planRouting(queued, (name) => demandOf(ctx, queues, name), queues, now),
    now,
  );
}

/** Slots free among the Ready agents of every channel, as this node's view has them. */
async function freeSlots(ctx: ActionContext): Promise<number> {
  let free = 0;
  for (const channel of CHANNELS) {
    for (const c of (await ctx.routing.view.candidates(channel)).values()) free += Math.max(0, c.capacity - c.load);
  }
  return free;
}

/**
 * Stores a new interaction (submitted work, a chat) in the caller's transaction: offered at once
 * when nothing of its media waits already and an agent is free (one transaction from submission
 * to offer), queued for routing otherwise. `pool` is the view's candidates for its media, read
 * before the transaction (`ctx.routing.view.candidates`).
 */
export async function placeNew(
  ctx: ActionContext,
  tx: Store,
  announce: Announcements,
  ix: AgentInteraction,
  queue: Queue,
  pool: ReadonlyMap<string, Candidate>,
): Promise<void> {
  const now = ctx.now();
  const pick = pool.size === 0 ? null : chooseFor(ctx, ix, arrivalRequirements(ctx, ix, queue, now), await lastAgentOf(ctx, tx, ix), pool.values(), now);
  if (pick !== null && !(await tx.agentInteractions.anyQueued(ix.mediaType))) {
    if (await tx.agentChannels.reserve(pick.agentId, ix.mediaType, pick.capacity, now)) {
      countChoice(pick, now);
      const outcome = offer(ix, pick.agentId, now, ctx.routing.offerTimeoutMs);
      await tx.agentInteractions.insert(outcome.next);
      announce.outcome(outcome);
      return;
    }
    // The view was stale (the agent is full or not Ready any more): it queues, and the routing
    // pass it asks for chooses again once the agent was read again.
    announce.agentsChanged(pick.agentId);
  }
  await tx.agentInteractions.insert(ix);
  announce.route();
}

/** The agent routing offers `ix` to now, or null. */
function chooseFor(
  ctx: ActionContext,
  ix: AgentInteraction,
  requirements: Requirements,
  lastAgent: LastAgent | null,
  pool: Iterable<Candidate>,
  now: number,
): Candidate | null {
  const declinedBy = ix.lastRejectedBy !== null && now < ix.queuedAt + ctx.routing.offerTimeoutMs ? ix.lastRejectedBy : null;
  return chooseAgentFor(pool, { ix, requirements, declinedBy, lastAgent, lastAgentRule: ctx.routing.lastAgent, now });
}

/** What a new interaction asks: its queue's skills (no overflow step is reached on arrival: the first comes a second later at the earliest). */
function arrivalRequirements(ctx: ActionContext, ix: AgentInteraction, queue: Queue, now: number): Requirements {
  return routingRequirements({ skills: queue.skills, overflow: ctx.routing.policy(queue.name).overflow }, ix, now, new Map());
}

/** Counts a choice on the view's candidate at once, so the next choice of the same pass sees it (the commit's refresh confirms it). */
function countChoice(pick: Candidate, now: number): void {
  pick.load++;
  pick.idleSince = now;
}

async function claimOffer(ctx: ActionContext, ix: AgentInteraction, pick: Candidate, now: number): Promise<"offered" | "full" | "taken"> {
  const result = await commit(ctx, async (tx, announce) => {
    if (!(await tx.agentChannels.reserve(pick.agentId, ix.mediaType, pick.capacity, now))) return "full" as const;
    const outcome = offer(ix, pick.agentId, now, ctx.routing.offerTimeoutMs);
    // Changed since it was read (accepted elsewhere, another node's offer): the reservation goes too.
    if (!(await tx.agentInteractions.update(outcome.next, ix))) throw TAKEN;
    announce.outcome(outcome);
    return "offered" as const;
  }).catch((err: unknown) => {
    if (err === TAKEN) return "taken" as const;
    throw err;
  });
  // The view counted this choice: read the agent again when it did not happen.
  if (result !== "offered") ctx.routing.view.forget(pick.agentId);
  return result;
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
    if (!(await tx.agentInteractions.update(result.next, fresh))) return false;
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
  /** Whether `maxWaiting` interactions wait already: a new chat is refused. */
  full: boolean;
  /**
   * Seconds until `interactionId` is likely offered (domain/queue-capacity.ts): its place in line,
   * spread over the Ready qualified agents, times the queue's recent handle time; null without
   * history or position. Without `interactionId`, a newcomer's (last in line), asked only when
   * one would wait (no agent free, or the queue full): customers poll this.
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
  const candidates = [...(await ctx.routing.view.candidates(media)).values()];
  const available = chooseAgent(candidates, queue, null) !== null;
  const full = isFull(ctx.routing.policy(queueName), waiting);
  const serving = candidates.filter((c) => qualifies(c.skills, queue.skills)).length;
  let place = position;
  if (interactionId === undefined) place = available && !full ? null : waiting + 1;
  const handleMs = place === null ? null : await ctx.store.agentInteractions.averageHandleMs(queueName, HANDLE_SAMPLE);
  const estimate = place === null ? null : estimatedWaitSeconds(place, serving, handleMs);
  return { waiting, position, agentAvailable: available, full, estimatedWaitSeconds: estimate };
}

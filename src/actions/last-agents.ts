/**
 * Last-agent routing (domain/last-agent.ts) on the store: the agent remembered when a chat ends,
 * looked up for the chats a routing pass may keep for them, and forgotten once too old to count.
 */
import type { AgentInteraction } from "../domain/agent-interactions.ts";
import { agentToRemember, type LastAgent } from "../domain/last-agent.ts";
import type { Store } from "../store/store.ts";
import type { ActionContext } from "./context.ts";

/** Rows one sweep forgets at most; the next sweep takes the rest. */
const FORGET_BATCH = 1000;

/** `ix` ended (in the transaction `tx`): its owner becomes its customer's last agent, unless it is off or they opted out. */
export async function rememberLastAgent(tx: Store, ctx: ActionContext, ix: AgentInteraction, now: number): Promise<void> {
  if (ctx.routing.lastAgent.windowMs === 0 || ix.customerKey === null) return;
  const agentId = agentToRemember(ix);
  if (agentId !== null) await tx.lastAgents.remember(ix.customerKey, { agentId, endedAt: now });
}

/** The last agents of the customers whose chats may still be kept for them at `now` (no query when there are none). */
export async function lastAgentsFor(ctx: ActionContext, queued: readonly AgentInteraction[], now: number): Promise<ReadonlyMap<string, LastAgent>> {
  const { windowMs, waitMs } = ctx.routing.lastAgent;
  if (windowMs === 0 || waitMs === 0) return new Map();
  const keys = queued.flatMap((ix) => (ix.customerKey !== null && now < ix.createdAt + waitMs ? [ix.customerKey] : []));
  return keys.length === 0 ? new Map() : ctx.store.lastAgents.find(keys);
}

/** The last agent a new interaction may be kept for (one read in the placing transaction), or null. */
export async function lastAgentOf(ctx: ActionContext, tx: Store, ix: AgentInteraction): Promise<LastAgent | null> {
  const { windowMs, waitMs } = ctx.routing.lastAgent;
  if (windowMs === 0 || waitMs === 0 || ix.customerKey === null) return null;
  return (await tx.lastAgents.find([ix.customerKey])).get(ix.customerKey) ?? null;
}

/** Forgets last agents whose chat ended before the window (housekeeping); returns how many. */
export async function forgetOldLastAgents(ctx: ActionContext): Promise<number> {
  // Off, nothing is written; rows from before it was turned off go too.
  const before = ctx.now() - ctx.routing.lastAgent.windowMs;
  return ctx.store.lastAgents.forgetEndedBefore(before, FORGET_BATCH);
}

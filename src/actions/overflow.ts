/**
 * Overflow steps as the routing pass finds them reached (domain/overflow.ts): each is written on
 * the interaction (its step, its raised priority, the step in its attached data) by a conditional
 * update, so with several nodes one writes it and the others find it written; the next read of
 * the queue, on any node, orders by the raised priority.
 */
import { reachOverflowStep } from "../domain/overflow.ts";
import type { QueueDemand } from "../domain/overflow.ts";
import type { Planned } from "../domain/routing-plan.ts";
import type { Queue } from "../domain/routing.ts";
import { commit } from "./after-commit.ts";
import type { ActionContext } from "./context.ts";

/** What queue `name` asks: its stored skills, its configured overflow steps. */
export function demandOf(ctx: ActionContext, queues: ReadonlyMap<string, Queue>, name: string): QueueDemand {
  return { skills: queues.get(name)?.skills ?? [], overflow: ctx.routing.policy(name).overflow };
}

/**
 * Writes the steps newly reached among `planned`, and returns the plan with each written
 * interaction as it now is (the claim that follows expects that version); one changed meanwhile
 * is left out of this pass.
 */
export async function recordOverflowSteps(ctx: ActionContext, planned: readonly Planned[], now: number): Promise<Planned[]> {
  if (!planned.some((p) => p.requirements.step > p.ix.overflowStep)) return [...planned];
  const written = await Promise.all(planned.map((p) => (p.requirements.step > p.ix.overflowStep ? recordStep(ctx, p, now) : p)));
  return written.filter((p): p is Planned => p !== null);
}

async function recordStep(ctx: ActionContext, { ix, requirements }: Planned, now: number): Promise<Planned | null> {
  const next = reachOverflowStep(ix, requirements, now);
  return commit(ctx, async (tx, announce) => {
    // Only the version read: an interaction offered, moved or re-prioritised meanwhile is left as it is now.
    if (!(await tx.agentInteractions.update(next, ix))) return null;
    announce.supervised("queues");
    return { ix: next, requirements };
  });
}

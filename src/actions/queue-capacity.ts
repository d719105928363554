/**
 * A queue's `maxWaiting` (issue 21): a new chat is refused while that many already wait. The
 * count is taken inside the chat's opening transaction with the queue's row locked (PostgreSQL),
 * so openings on several nodes take turns and the limit holds; the refusal's text, with the wait
 * a newcomer can expect, is made after it (routing's standing reads outside any transaction).
 */
import { isFull, queueFullMessage } from "../domain/queue-capacity.ts";
import type { Store } from "../store/store.ts";
import type { ActionContext } from "./context.ts";
import { queueStanding } from "./routing.ts";

/** Inside the opening transaction: how many wait in `queue` when it is full (refuse the chat), else null. */
export async function waitingWhenFull(tx: Store, ctx: ActionContext, queue: string): Promise<number | null> {
  const policy = ctx.routing.policy(queue);
  if (policy.maxWaiting === null) return null;
  await tx.queues.get(queue, { lock: true });
  const { waiting } = await tx.agentInteractions.queuePosition(queue, null);
  return isFull(policy, waiting) ? waiting : null;
}

/** After it: what the refused customer is told, with the estimated wait. */
export async function queueFullText(ctx: ActionContext, queue: string, waiting: number): Promise<string> {
  const standing = await queueStanding(ctx, queue, "chat");
  return queueFullMessage(queue, waiting, standing.estimatedWaitSeconds);
}

/** Routing queues: created by administrators, read by supervisors too; `default` always exists. */
import { requireRole, seesAgentsWork } from "../access/users.ts";
import { AppError, invalidInput, notFound } from "../domain/errors.ts";
import { qualifies, routable, type Queue } from "../domain/routing.ts";
import { checkSkills, type Skill, type User } from "../domain/users.ts";
import { UniqueViolation } from "../store/store.ts";
import { QUEUES_CHANNEL, queueStatisticsMessage, supervisedQueue } from "../wire/agent-api.ts";
import { commit } from "./after-commit.ts";
import type { ActionContext } from "./context.ts";
import { statisticsOf, type QueueStatistics } from "./queue-statistics.ts";

const DEFAULT_QUEUE = "default";
const QUEUE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export async function createQueue(ctx: ActionContext, actor: User, input: { name: string; skills?: Skill[] }): Promise<void> {
  requireRole(actor, "ROLE_ADMIN");
  if (!QUEUE_NAME.test(input.name)) throw invalidInput("name: 1 to 64 letters, digits or . _ -");
  const queue: Queue = { name: input.name, skills: checkSkills(input.skills ?? []), createdAt: ctx.now() };
  await commit(ctx, async (tx, announce) => {
    await tx.queues.insert(queue);
    announce.supervised("queues");
  }).catch((err: unknown) => {
    if (err instanceof UniqueViolation) throw new AppError("invalid_state", `name: queue ${input.name} exists`);
    throw err;
  });
}

export interface QueueView {
  queue: Queue;
  waiting: number;
  /** Seconds the longest waiting interaction has waited; 0 when none waits. */
  longestWaitSeconds: number;
  /** Users routing may offer to (ROUTING_ROLES) with the queue's skills, and how many of them are Ready on some channel. */
  agents: { qualified: number; ready: number };
  /** Service levels over the last 15 minutes and today (queue-statistics.ts). */
  statistics: QueueStatistics;
  /** How many of those waiting have reached one of the queue's overflow steps. */
  overflowed: number;
}

/**
 * Every queue: with its standing for supervisors and admins; for anyone else only what the queue
 * is (name and skills), so an agent can pick where to place an interaction.
 */
export async function listQueues(ctx: ActionContext, actor: User): Promise<Array<QueueView | { queue: Queue }>> {
  if (!seesAgentsWork(actor)) return (await ctx.store.queues.list()).map((queue) => ({ queue }));
  return allQueueViews(ctx);
}

/** One queue's standing and statistics: supervisors and admins only (403 for anyone else), 404 for no such queue. */
export async function getQueueStatistics(ctx: ActionContext, actor: User, name: string): Promise<QueueView> {
  requireRole(actor, "ROLE_SUPERVISOR", "ROLE_ADMIN");
  const queue = await ctx.store.queues.get(name);
  if (queue === null) throw notFound(`There is no queue ${name.slice(0, 64)}`);
  const viewOf = await queueViewer(ctx, [queue]);
  return viewOf(queue);
}

/** Every queue's view, as supervisors see it (also what /v2/queues pushes and /metrics shows). */
export async function allQueueViews(ctx: ActionContext): Promise<QueueView[]> {
  const queues = await ctx.store.queues.list();
  return queues.map(await queueViewer(ctx, queues));
}

/** Every queue, as supervisors see it, to those subscribed to `/v2/queues` on every node (queue-statistics-push.ts calls it). */
export async function publishQueueStatistics(ctx: ActionContext): Promise<void> {
  const views = await allQueueViews(ctx);
  const queues = views.map((view) => supervisedQueue(view, ctx.routing.policy(view.queue.name)));
  ctx.notifier.publish("agent", QUEUES_CHANNEL, queueStatisticsMessage(queues));
}

/** What the views of `queues` need, read once; then each queue's view. */
async function queueViewer(ctx: ActionContext, queues: Queue[]): Promise<(queue: Queue) => QueueView> {
  const [waiting, overflowed, users, statisticsOfQueue] = await Promise.all([
    ctx.store.agentInteractions.waiting(),
    ctx.store.agentInteractions.overflowed(),
    ctx.store.users.list(),
    statisticsOf(ctx, queues),
  ]);
  const readyIds = new Set<string>();
  for (const channel of ["chat", "openmedia", "email", "sms"] as const) {
    for (const agent of await ctx.store.agentChannels.ready(channel)) readyIds.add(agent.userId);
  }
  const now = ctx.now();
  return (queue) => {
    const w = waiting.get(queue.name);
    const qualified = users.filter((u) => u.enabled && routable(u.roles, ctx.routing.roles) && qualifies(u.skills, queue.skills));
    return {
      queue,
      waiting: w?.count ?? 0,
      longestWaitSeconds: w === undefined ? 0 : Math.max(0, Math.floor((now - w.oldestQueuedAt) / 1000)),
      agents: { qualified: qualified.length, ready: qualified.filter((u) => readyIds.has(u.id)).length },
      statistics: statisticsOfQueue(queue.name),
      overflowed: overflowed.get(queue.name) ?? 0,
    };
  };
}

/** Queues named by the configuration exist (created as configured when missing; never changed). */
export async function ensureQueues(ctx: ActionContext, queues: readonly { name: string; skills: Skill[] }[]): Promise<void> {
  for (const q of queues) {
    if ((await ctx.store.queues.get(q.name)) !== null) continue;
    await ctx.store
      .transaction((tx) => tx.queues.insert({ name: q.name, skills: checkSkills(q.skills), createdAt: ctx.now() }))
      .catch((err: unknown) => {
        if (!(err instanceof UniqueViolation)) throw err;
      });
  }
}

/** Queue `default` (no skills) exists from the first start on. */
export async function ensureDefaultQueue(ctx: ActionContext): Promise<void> {
  if ((await ctx.store.queues.get(DEFAULT_QUEUE)) !== null) return;
  await ctx.store
    .transaction((tx) => tx.queues.insert({ name: DEFAULT_QUEUE, skills: [], createdAt: ctx.now() }))
    .catch((err: unknown) => {
      if (!(err instanceof UniqueViolation)) throw err;
    });
}

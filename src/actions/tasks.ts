/** Context Services use cases on tasks: start, complete, query. */
import { accessService, accessTask, serviceNotFound } from "../access/journeys.ts";
import { invalidInput, invalidState } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import { eventTime, integerId, stampEvent, type Task } from "../domain/journeys.ts";
import type { StepQuery } from "../store/store.ts";
import { defaultExpiry, type ActionContext } from "./context.ts";
import { readEvent } from "./events.ts";

/** Start Task (seed 000): returns the new task id (32-bit, numbered per service). */
export async function startTask(ctx: ActionContext, serviceId: string, body: JsonObject): Promise<number> {
  const { event, own, extensions } = readEvent(ctx, body, "task", "start");
  const stateId = integerId(own.state_id, "state_id");
  return ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    const id = await tx.services.nextStepId(serviceId, "task", now, defaultExpiry(ctx, now));
    if (id === null) throw serviceNotFound(serviceId);
    if (stateId !== null && (await tx.states.get(serviceId, stateId)) === null) {
      throw invalidInput(`state_id: service ${serviceId} has no state ${stateId}`);
    }
    const started = stampEvent(event, now);
    await tx.tasks.insert(id, {
      serviceId,
      stateId,
      type: own.task_type ?? null,
      started,
      extensions,
      startedAt: eventTime(started, now),
    });
    return id;
  });
}

/** Complete Task. */
export async function completeTask(ctx: ActionContext, serviceId: string, taskId: number, body: JsonObject) {
  const { event, extensions } = readEvent(ctx, body, "task", "end");
  await ctx.store.transaction(async (tx) => {
    await accessService(tx, serviceId, { lock: true });
    const task = await accessTask(tx, serviceId, taskId);
    const now = ctx.now();
    const completed = stampEvent(event, now);
    const changed = await tx.tasks.update(serviceId, taskId, {
      completed,
      completedAt: eventTime(completed, now),
      extensions: { ...task.extensions, ...extensions },
    });
    if (!changed) throw invalidState(`task ${taskId} of service ${serviceId} is already completed`);
    await tx.services.touch(serviceId, now, defaultExpiry(ctx, now));
  });
}

/** Query Task by ID. */
export async function getTask(ctx: ActionContext, serviceId: string, taskId: number): Promise<Task> {
  await accessService(ctx.store, serviceId);
  return accessTask(ctx.store, serviceId, taskId);
}

/** Query Tasks of a service (optionally of one state). */
export async function listTasks(ctx: ActionContext, serviceId: string, query: StepQuery): Promise<Task[]> {
  await accessService(ctx.store, serviceId);
  return ctx.store.tasks.list(serviceId, query);
}

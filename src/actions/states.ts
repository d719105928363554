/** Context Services use cases on states: start, complete, transition, query. */
import { accessService, accessState, serviceNotFound } from "../access/journeys.ts";
import { invalidInput, invalidState } from "../domain/errors.ts";
import { isJsonObject, type JsonObject } from "../domain/json.ts";
import { endFieldsOf, eventTime, integerId, stampEvent, type State, type StateView } from "../domain/journeys.ts";
import type { StepQuery, Store } from "../store/store.ts";
import { defaultExpiry, type ActionContext } from "./context.ts";
import { readEvent } from "./events.ts";

/** Start State: returns the new state id (32-bit, numbered per service). */
export async function startState(ctx: ActionContext, serviceId: string, body: JsonObject): Promise<number> {
  const { event, own, extensions } = readEvent(ctx, body, "state", "start");
  return ctx.store.transaction(async (tx) => {
    const id = await allocateStateId(ctx, tx, serviceId);
    const now = ctx.now();
    const started = stampEvent(event, now);
    await tx.states.insert(id, {
      serviceId,
      type: own.state_type ?? null,
      previousStateId: integerId(own.previous_state_id, "previous_state_id"),
      started,
      extensions,
      startedAt: eventTime(started, now),
    });
    return id;
  });
}

/** Complete State: ends one active state; its tasks are the application's to complete. */
export async function completeState(ctx: ActionContext, serviceId: string, stateId: number, body: JsonObject) {
  const { event, extensions } = readEvent(ctx, body, "state", "end");
  await ctx.store.transaction(async (tx) => {
    await accessService(tx, serviceId, { lock: true });
    const state = await accessState(tx, serviceId, stateId);
    await endState(ctx, tx, state, event, extensions);
  });
}

/**
 * Perform State Transition: completes `from` and starts `to` in one transaction. Top-level
 * event fields and extensions apply to both; those inside `from` / `to` to that side only.
 */
export async function transitionState(ctx: ActionContext, serviceId: string, body: JsonObject): Promise<number> {
  const { from, to, ...shared } = body;
  if (!isJsonObject(from)) throw invalidInput("from: required object");
  const fromId = integerId(from.state_id, "from.state_id");
  if (fromId === null) throw invalidInput("from.state_id: required integer");
  if (!isJsonObject(to)) throw invalidInput("to: required object");
  const { state_id: _, ...fromRest } = from;
  const common = readEvent(ctx, shared, "state", "start");
  const ending = readEvent(ctx, fromRest, "state", "end");
  const starting = readEvent(ctx, to, "state", "start");
  return ctx.store.transaction(async (tx) => {
    await accessService(tx, serviceId, { lock: true });
    const state = await tx.states.get(serviceId, fromId);
    if (state === null) throw invalidInput(`from.state_id: service ${serviceId} has no state ${fromId}`);
    const endEvent = { ...endFieldsOf(common.event, "state"), ...ending.event };
    await endState(ctx, tx, state, endEvent, { ...common.extensions, ...ending.extensions });
    const id = await allocateStateId(ctx, tx, serviceId);
    const now = ctx.now();
    const started = stampEvent({ ...common.event, ...starting.event }, now);
    await tx.states.insert(id, {
      serviceId,
      type: starting.own.state_type ?? common.own.state_type ?? null,
      previousStateId: fromId,
      started,
      extensions: { ...common.extensions, ...starting.extensions },
      startedAt: eventTime(started, now),
    });
    return id;
  });
}

/** Query State by ID, with its own tasks when asked. */
export async function getState(
  ctx: ActionContext,
  serviceId: string,
  stateId: number,
  flags: { activeTasks?: boolean; completedTasks?: boolean },
): Promise<StateView> {
  await accessService(ctx.store, serviceId);
  const state = await accessState(ctx.store, serviceId, stateId);
  const [view] = await withTasks(ctx, serviceId, [state], flags);
  return view ?? { state };
}

/** Query States of a service. */
export async function listStates(
  ctx: ActionContext,
  serviceId: string,
  query: StepQuery,
  flags: { activeTasks?: boolean; completedTasks?: boolean },
): Promise<StateView[]> {
  await accessService(ctx.store, serviceId);
  const states = await ctx.store.states.list(serviceId, query);
  return withTasks(ctx, serviceId, states, flags);
}

async function withTasks(
  ctx: ActionContext,
  serviceId: string,
  states: State[],
  flags: { activeTasks?: boolean; completedTasks?: boolean },
): Promise<StateView[]> {
  if (flags.activeTasks !== true && flags.completedTasks !== true) return states.map((state) => ({ state }));
  const tasks = await ctx.store.tasks.list(serviceId, { status: "all" });
  return states.map((state) => {
    const mine = tasks.filter((t) => t.stateId === state.id);
    const view: StateView = { state };
    if (flags.activeTasks === true) view.activeTasks = mine.filter((t) => t.completedAt === null);
    if (flags.completedTasks === true) view.completedTasks = mine.filter((t) => t.completedAt !== null);
    return view;
  });
}

async function allocateStateId(ctx: ActionContext, tx: Store, serviceId: string): Promise<number> {
  const now = ctx.now();
  const id = await tx.services.nextStepId(serviceId, "state", now, defaultExpiry(ctx, now));
  if (id === null) throw serviceNotFound(serviceId);
  return id;
}

async function endState(ctx: ActionContext, tx: Store, state: State, event: JsonObject, extensions: JsonObject) {
  const now = ctx.now();
  const completed = stampEvent(event, now);
  const changed = await tx.states.update(state.serviceId, state.id, {
    completed,
    completedAt: eventTime(completed, now),
    extensions: { ...state.extensions, ...extensions },
  });
  if (!changed) throw invalidState(`state ${state.id} of service ${state.serviceId} is already completed`);
  await tx.services.touch(state.serviceId, now, defaultExpiry(ctx, now));
}

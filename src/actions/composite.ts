/**
 * Composite Start and Bulk Update (`POST /services_composite/start`). Each element finds or
 * creates a service, a state and optionally a task; with `update_extensions=true` the extensions
 * it names are written onto the objects it found (others untouched). One transaction for all.
 */
import { serviceNotFound } from "../access/journeys.ts";
import { isJsonObject, type JsonObject } from "../domain/json.ts";
import { eventTime, replaceExtensions, stampEvent } from "../domain/journeys.ts";
import type { Store } from "../store/store.ts";
import { defaultExpiry, type ActionContext } from "./context.ts";
import { readEvent } from "./events.ts";
import { writeExtensions, type ExtensionOwner } from "./extensions.ts";
import { startService } from "./services.ts";

export interface CompositeElement {
  service: JsonObject;
  state: JsonObject;
  task?: JsonObject;
  associate_state_task?: boolean;
  update_extensions?: boolean;
  create_new_services?: boolean;
}

export interface CompositeResult {
  service_id: string;
  service_created: boolean;
  state_id: number;
  state_created: boolean;
  task_id?: number;
  task_created?: boolean;
}

/** A flag may be given on the element, in any of its events, or for the whole request. */
function flag(element: CompositeElement, name: "update_extensions" | "create_new_services", all: boolean): boolean {
  const events = [element, element.service, element.state, element.task];
  return all || events.some((e) => isJsonObject(e) && e[name] === true);
}

export async function compositeStart(ctx: ActionContext, elements: CompositeElement[], options: { createNewServices: boolean }): Promise<CompositeResult[]> {
  return ctx.store.transaction(async (tx) => {
    const results: CompositeResult[] = [];
    for (const element of elements) results.push(await startOne({ ...ctx, store: tx }, tx, element, options));
    return results;
  });
}

async function startOne(ctx: ActionContext, tx: Store, element: CompositeElement, options: { createNewServices: boolean }): Promise<CompositeResult> {
  const update = flag(element, "update_extensions", false);
  const service = readEvent(ctx, element.service, "service", "start");
  const found = flag(element, "create_new_services", options.createNewServices)
    ? null
    : await tx.services.findActive({
        customerId: typeof service.own.customer_id === "string" ? service.own.customer_id : null,
        contactKey: typeof service.own.contact_key === "string" ? service.own.contact_key : null,
        type: service.own.service_type ?? null,
      });
  const serviceId = found?.id ?? (await startService(ctx, element.service));
  if (found !== null && update) {
    await updateNamed(tx, { kind: "service", serviceId }, found.extensions, service.extensions);
  }
  const state = await findOrStartStep(ctx, tx, serviceId, "state", element.state, null, update);
  const result: CompositeResult = {
    service_id: serviceId,
    service_created: found === null,
    state_id: state.id,
    state_created: state.created,
  };
  if (element.task !== undefined) {
    const stateId = element.associate_state_task === true ? state.id : null;
    const task = await findOrStartStep(ctx, tx, serviceId, "task", element.task, stateId, update);
    result.task_id = task.id;
    result.task_created = task.created;
  }
  if (found !== null) {
    const now = ctx.now();
    await tx.services.touch(serviceId, now, defaultExpiry(ctx, now));
  }
  return result;
}

async function findOrStartStep(
  ctx: ActionContext,
  tx: Store,
  serviceId: string,
  kind: "state" | "task",
  body: JsonObject,
  stateId: number | null,
  update: boolean,
): Promise<{ id: number; created: boolean }> {
  const { event, own, extensions } = readEvent(ctx, body, kind, "start");
  const type = (kind === "state" ? own.state_type : own.task_type) ?? null;
  const existing = kind === "state" ? await tx.states.findActiveByType(serviceId, type) : await tx.tasks.findActiveByType(serviceId, type, stateId);
  if (existing !== null) {
    if (update) await updateNamed(tx, { kind, serviceId, id: existing.id }, existing.extensions, extensions);
    return { id: existing.id, created: false };
  }
  const now = ctx.now();
  const id = await tx.services.nextStepId(serviceId, kind, now, defaultExpiry(ctx, now));
  if (id === null) throw serviceNotFound(serviceId);
  const started = stampEvent(event, now);
  const step = { serviceId, type, started, extensions, startedAt: eventTime(started, now) };
  if (kind === "state") await tx.states.insert(id, { ...step, previousStateId: null });
  else await tx.tasks.insert(id, { ...step, stateId });
  return { id, created: true };
}

async function updateNamed(tx: Store, owner: ExtensionOwner, current: JsonObject, named: JsonObject) {
  if (Object.keys(named).length === 0) return;
  await writeExtensions(tx, owner, replaceExtensions(current, named));
}

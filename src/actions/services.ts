/** Context Services use cases on services: start, associate, complete, expire, delete, query. */
import { accessService } from "../access/journeys.ts";
import { invalidInput, invalidState, responseTooLarge } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import {
  requireCustomerOrContactKey,
  eventTime,
  explicitExpiry,
  replaceExtensions,
  resolveAutoCompleteAfter,
  stampEvent,
  type ExtensionSelector,
  type NameSet,
  type Service,
  type ServiceView,
  type State,
  type Status,
  type Task,
} from "../domain/journeys.ts";
import type { ServiceQuery } from "../store/store.ts";
import { defaultExpiry, type ActionContext } from "./context.ts";
import { readEvent } from "./events.ts";

/** Which nested lists a query includes (`active_states=true`, ...). */
export interface NestingFlags {
  activeStates?: boolean;
  completedStates?: boolean;
  activeTasks?: boolean;
  completedTasks?: boolean;
}

/** Start Service: returns the new service id. */
export async function startService(ctx: ActionContext, body: JsonObject): Promise<string> {
  const { event, own, extensions } = readEvent(ctx, body, "service", "start");
  requireCustomerOrContactKey(own);
  const now = ctx.now();
  const started = stampEvent(event, now);
  const pinned = explicitExpiry(own, now);
  const service = {
    customerId: optionalString(own.customer_id),
    contactKey: optionalString(own.contact_key),
    type: own.service_type ?? null,
    started,
    extensions,
    startedAt: eventTime(started, now),
    updatedAt: now,
    autoCompleteAfter: resolveAutoCompleteAfter(optionalNumber(own.auto_complete_after), {
      enabled: ctx.cs.autoCompleteEnabled,
      defaultAfterSeconds: ctx.cs.autoCompleteAfterSeconds,
    }),
    expiresAt: pinned ?? defaultExpiry(ctx, now),
    expiryPinned: pinned !== undefined,
  };
  return ctx.store.transaction((tx) => tx.services.insert(service));
}

/**
 * Associate Service: links the service to a customer (the last association wins) and updates
 * it from the optional start-event body.
 */
export async function associateService(ctx: ActionContext, customerId: string, serviceId: string, body: JsonObject) {
  const { event, own, extensions } = readEvent(ctx, body, "service", "start");
  await ctx.store.transaction(async (tx) => {
    const service = await accessService(tx, serviceId, { lock: true });
    const now = ctx.now();
    await tx.services.update(serviceId, {
      customerId,
      type: own.service_type ?? service.type,
      started: { ...service.started, ...event },
      extensions: replaceExtensions(service.extensions, extensions),
    });
    await tx.services.touch(serviceId, now, defaultExpiry(ctx, now));
  });
}

/** Complete Service: ends it; the body's extensions replace those of the same names. */
export async function completeService(ctx: ActionContext, serviceId: string, body: JsonObject) {
  const { event, own, extensions } = readEvent(ctx, body, "service", "end");
  await ctx.store.transaction(async (tx) => {
    const service = await accessService(tx, serviceId, { lock: true });
    if (service.completed !== null) throw invalidState(`service ${serviceId} is already completed`);
    const now = ctx.now();
    const completed = stampEvent(event, now);
    const pinned = explicitExpiry(own, now);
    await tx.services.update(serviceId, {
      completed,
      completedAt: eventTime(completed, now),
      extensions: replaceExtensions(service.extensions, extensions),
      ...(pinned === undefined ? {} : { expiresAt: pinned, expiryPinned: true }),
    });
    await tx.services.touch(serviceId, now, defaultExpiry(ctx, now));
  });
}

/** Update Expiration Time: `ttl` (seconds from now) wins over `expiration_time`. */
export async function updateExpiration(ctx: ActionContext, serviceId: string, body: JsonObject) {
  const expiresAt = explicitExpiry(body, ctx.now());
  if (expiresAt === undefined) throw invalidInput("ttl or expiration_time is required");
  await ctx.store.transaction(async (tx) => {
    await accessService(tx, serviceId, { lock: true });
    await tx.services.update(serviceId, { expiresAt, expiryPinned: true });
  });
}

/** Delete Service by ID, with its states and tasks. */
export async function deleteService(ctx: ActionContext, serviceId: string) {
  await ctx.store.transaction(async (tx) => {
    await accessService(tx, serviceId, { lock: true });
    await tx.services.delete(serviceId);
  });
}

/** Query Service by ID. */
export async function getService(ctx: ActionContext, serviceId: string, flags: NestingFlags, sel: ExtensionSelector): Promise<ServiceView> {
  const service = await accessService(ctx.store, serviceId, { withExtensions: selects(sel.service) });
  const [view] = await withSteps(ctx, [service], flags, sel, 0);
  return view ?? { service };
}

/**
 * Query Services by customer or, anonymous, by contact key. The stored size of what would be
 * loaded is checked first: a list that would exceed the response limit is refused without
 * being read (a customer's services can add up to gigabytes).
 */
export async function listServices(ctx: ActionContext, query: ServiceQuery, flags: NestingFlags, sel: ExtensionSelector): Promise<ServiceView[]> {
  const scoped = { ...query, withExtensions: selects(sel.service) };
  const bytes = await ctx.store.services.listBytes(scoped);
  if (bytes > ctx.responseLimitBytes) throw responseTooLarge(ctx.responseLimitBytes);
  const services = await ctx.store.services.list(scoped);
  return withSteps(ctx, services, flags, sel, bytes);
}

/** Nests the requested states and tasks, with one query per kind for the whole list. */
export async function withSteps(ctx: ActionContext, services: Service[], flags: NestingFlags, sel: ExtensionSelector, bytesSoFar: number) {
  // Most reads nest nothing: then no step query, nor the work of preparing one.
  if (!nestsAny(flags)) return services.map((service): ServiceView => ({ service }));
  const ids = services.map((s) => s.id);
  const stateStatus = flags.activeStates === true || flags.completedStates === true ? bothOrOne(flags.activeStates, flags.completedStates) : null;
  const taskStatus = flags.activeTasks === true || flags.completedTasks === true ? bothOrOne(flags.activeTasks, flags.completedTasks) : null;
  const stateExt = selects(sel.state);
  const taskExt = selects(sel.task);
  const stepBytes =
    (stateStatus === null ? 0 : await ctx.store.states.bytesForServices(ids, stateStatus, stateExt)) +
    (taskStatus === null ? 0 : await ctx.store.tasks.bytesForServices(ids, taskStatus, taskExt));
  if (bytesSoFar + stepBytes > ctx.responseLimitBytes) throw responseTooLarge(ctx.responseLimitBytes);
  const states = stateStatus === null ? [] : await ctx.store.states.listForServices(ids, stateStatus, stateExt);
  const tasks = taskStatus === null ? [] : await ctx.store.tasks.listForServices(ids, taskStatus, taskExt);
  const statesOf = groupByService(states);
  const tasksOf = groupByService(tasks);
  return services.map((service) => {
    const view: ServiceView = { service };
    const byStatus = <T extends State | Task>(items: T[] | undefined, completed: boolean) =>
      (items ?? []).filter((i) => (i.completedAt !== null) === completed);
    if (flags.activeStates === true) view.activeStates = byStatus(statesOf.get(service.id), false);
    if (flags.completedStates === true) view.completedStates = byStatus(statesOf.get(service.id), true);
    if (flags.activeTasks === true) view.activeTasks = byStatus(tasksOf.get(service.id), false);
    if (flags.completedTasks === true) view.completedTasks = byStatus(tasksOf.get(service.id), true);
    return view;
  });
}

function nestsAny(flags: NestingFlags): boolean {
  return flags.activeStates === true || flags.completedStates === true || flags.activeTasks === true || flags.completedTasks === true;
}

/** Whether a selector wants any extension of its kind (none: they are not even loaded). */
function selects(names: NameSet): boolean {
  return names === "all" || names.size > 0;
}

function groupByService<T extends State | Task>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.serviceId);
    if (group === undefined) groups.set(item.serviceId, [item]);
    else group.push(item);
  }
  return groups;
}

function bothOrOne(active: boolean | undefined, completed: boolean | undefined): Status {
  if (active === true && completed === true) return "all";
  return active === true ? "active" : "completed";
}

function optionalString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/**
 * Loading a service, state or task for an operation: the one place that decides whether the
 * caller may see it. Context Services has no per-user ownership (GMS trusts its callers), so
 * today this is existence; tenant or role checks belong here, used by every transport.
 */
import { notFound } from "../domain/errors.ts";
import type { Service, State, Task } from "../domain/journeys.ts";
import type { Store } from "../store/store.ts";

export async function accessService(store: Store, id: string, options: { lock?: boolean; withExtensions?: boolean } = {}): Promise<Service> {
  const service = await store.services.get(id, options);
  if (service === null) throw serviceNotFound(id);
  return service;
}

/** The documented message for an unknown service (Delete Service by ID). */
export function serviceNotFound(id: string) {
  return notFound(`There are no service found for : ${id}`);
}

export async function accessState(store: Store, serviceId: string, stateId: number): Promise<State> {
  const state = await store.states.get(serviceId, stateId);
  if (state === null) throw notFound(`There are no state ${stateId} found for service : ${serviceId}`);
  return state;
}

export async function accessTask(store: Store, serviceId: string, taskId: number): Promise<Task> {
  const task = await store.tasks.get(serviceId, taskId);
  if (task === null) throw notFound(`There are no task ${taskId} found for service : ${serviceId}`);
  return task;
}

/**
 * Context Services on the wire (seeds 001-002, reference §3): services, states and tasks,
 * customer profiles, and contact history, as its clients read them. Pure functions from domain
 * objects to JSON, used by every route that answers with one.
 */
import type { Customer } from "../domain/customers.ts";
import type { HistoryEntry } from "../domain/history.ts";
import type { Json, JsonObject } from "../domain/json.ts";
import {
  selectExtensions,
  type ExtensionSelector,
  type NameSet,
  type Service,
  type ServiceView,
  type State,
  type StateView,
  type Task,
} from "../domain/journeys.ts";

// ----- services, states and tasks -----
// `est_duration` hoisted out of `started`, `disposition`/`disposition_desc` out of `completed`,
// `service_id` only on the top-level object, extensions as top-level keys when selected.

/** Service ids are JSON numbers when they fit in 53 bits (spec decision 1), strings otherwise. */
export function serviceIdJson(id: string): Json {
  const n = Number(id);
  return /^\d+$/.test(id) && Number.isSafeInteger(n) ? n : id;
}

export function presentService(view: ServiceView, sel: ExtensionSelector): JsonObject {
  const s: Service = view.service;
  const out: JsonObject = { service_id: serviceIdJson(s.id) };
  if (s.type !== null) out.service_type = s.type;
  if (s.customerId !== null) out.customer_id = s.customerId;
  if (s.contactKey !== null) out.contact_key = s.contactKey;
  Object.assign(out, lifecycle(s.started, s.completed));
  if (view.activeStates) out.active_states = view.activeStates.map((state) => presentState({ state }, sel, false));
  if (view.completedStates) out.completed_states = view.completedStates.map((state) => presentState({ state }, sel, false));
  if (view.activeTasks) out.active_tasks = view.activeTasks.map((t) => presentTask(t, sel, false));
  if (view.completedTasks) out.completed_tasks = view.completedTasks.map((t) => presentTask(t, sel, false));
  return Object.assign(out, selectExtensions(s.extensions, sel.service));
}

export function presentState(view: StateView, sel: ExtensionSelector, top: boolean): JsonObject {
  const s: State = view.state;
  const out: JsonObject = { state_id: s.id };
  if (top) out.service_id = serviceIdJson(s.serviceId);
  if (s.type !== null) out.state_type = s.type;
  if (s.previousStateId !== null) out.previous_state_id = s.previousStateId;
  Object.assign(out, lifecycle(s.started, s.completed));
  if (view.activeTasks) out.active_tasks = view.activeTasks.map((t) => presentTask(t, sel, false));
  if (view.completedTasks) out.completed_tasks = view.completedTasks.map((t) => presentTask(t, sel, false));
  return Object.assign(out, selectExtensions(s.extensions, sel.state));
}

export function presentTask(t: Task, sel: ExtensionSelector, top: boolean): JsonObject {
  const out: JsonObject = { task_id: t.id };
  if (top) out.service_id = serviceIdJson(t.serviceId);
  if (t.type !== null) out.task_type = t.type;
  if (t.stateId !== null) out.state_id = t.stateId;
  Object.assign(out, lifecycle(t.started, t.completed));
  return Object.assign(out, selectExtensions(t.extensions, sel.task));
}

/** `est_duration`, `started`, then `completed` and its hoisted disposition fields. */
function lifecycle(startedEvent: JsonObject, completedEvent: JsonObject | null): JsonObject {
  const out: JsonObject = {};
  const { est_duration, ...started } = startedEvent;
  if (est_duration !== undefined) out.est_duration = est_duration;
  out.started = started;
  if (completedEvent === null) return out;
  const { disposition, disposition_desc, ...completed } = completedEvent;
  out.completed = completed;
  if (disposition !== undefined) out.disposition = disposition;
  if (disposition_desc !== undefined) out.disposition_desc = disposition_desc;
  return out;
}

// ----- customer profiles: a flat object as UCS presents it, extensions only when asked for -----

export function presentCustomer(c: Customer, extensions: NameSet): JsonObject {
  return { customer_id: c.id, ...c.attributes, ...selectExtensions(c.extensions, extensions) };
}

// ----- contact history (seed 002): dates in ISO 8601, content as URLs (`text`, `structured_text`,
// `binary_content`) that the client GETs separately -----

export function presentHistoryEntry(i: HistoryEntry, interactionsUrl: string): JsonObject {
  const url = `${interactionsUrl}/${encodeURIComponent(i.id)}`;
  const out: JsonObject = {
    interaction_id: i.id,
    media_type: i.mediaType,
    type: i.type,
    status: i.status,
    entity_type: i.entityType,
    start_date: iso(i.startDate),
    udata: i.udata,
  };
  const optional: JsonObject = {
    customer_id: i.customerId,
    sub_type: i.subType,
    subject: i.subject,
    thread_id: i.threadId,
    external_id: i.externalId,
    owner_id: i.ownerId,
    creator_app_id: i.creatorAppId,
    end_date: isoOrNull(i.endDate),
    established_date: isoOrNull(i.establishedDate),
    released_date: isoOrNull(i.releasedDate),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== null) out[key] = value;
  if (i.contents.includes("plain_text")) out.text = `${url}/plain_text`;
  if (i.contents.includes("structured_text")) {
    out.structured_text = `${url}/structured_text`;
    out.structured_text_mime = i.structuredTextMime ?? "text/xml";
  }
  if (i.contents.includes("binary_content")) out.binary_content = `${url}/binary_content`;
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

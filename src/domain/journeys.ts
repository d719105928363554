/**
 * Context Services journeys: services, their states and tasks. Pure types and rules; no I/O.
 *
 * A start or end event body mixes documented fields (`session_id`, `media_type`, ...) with
 * extensions: every other top-level key, holding any JSON (seed 000 "<extension key>").
 */
import { invalidInput } from "./errors.ts";
import type { Json, JsonObject } from "./json.ts";

export type Extensions = Record<string, Json>;
export type Kind = "service" | "state" | "task";
export type Status = "all" | "active" | "completed";

export interface Service {
  id: string;
  customerId: string | null;
  contactKey: string | null;
  /** `service_type` exactly as sent (long or string), or null. */
  type: Json;
  /** The documented fields of the start event, `timestamp` always set. */
  started: JsonObject;
  /** The documented fields of the end event; null while active. */
  completed: JsonObject | null;
  extensions: Extensions;
  startedAt: number;
  completedAt: number | null;
  updatedAt: number;
  /** Seconds of inactivity after which the server completes it; null: only an explicit end does. */
  autoCompleteAfter: number | null;
  expiresAt: number;
  /** True when ttl/expiration_time fixed the expiry; updates then no longer push it back. */
  expiryPinned: boolean;
}

/** A step of a service: what states and tasks share, numbered per service, started and completed by events. */
interface Step {
  serviceId: string;
  id: number;
  /** `state_type` / `task_type` exactly as sent, or null. */
  type: Json;
  started: JsonObject;
  completed: JsonObject | null;
  extensions: Extensions;
  startedAt: number;
  completedAt: number | null;
}

export interface State extends Step {
  previousStateId: number | null;
}

export interface Task extends Step {
  stateId: number | null;
}

/** Fields every start and end event has (StartEventList, EndEventList). */
const EVENT_FIELDS = ["session_id", "interaction_id", "application_type", "application_id", "resource_type", "resource_id", "media_type", "timestamp"] as const;
const COMMON_START = [...EVENT_FIELDS, "est_duration"] as const;
const COMMON_END = [...EVENT_FIELDS, "disposition", "disposition_desc"] as const;

/** Start-event fields that live on the entity itself rather than inside `started`. */
const SERVICE_START_OWN = ["customer_id", "contact_key", "service_type", "ttl", "expiration_time", "auto_complete_after"] as const;
const STATE_START_OWN = ["state_type", "previous_state_id"] as const;
const TASK_START_OWN = ["task_type", "state_id"] as const;
const SERVICE_END_OWN = ["ttl", "expiration_time"] as const;

/**
 * Body keys that steer an operation and are never stored. `service_id` is here because seed 001
 * tells clients to fill it in state and task start events; the URL already names the service.
 */
const CONTROL_KEYS = ["update_extensions", "create_new_services", "service_id"] as const;

/**
 * Every key a presenter writes at the top level of a service, state or task (see
 * http/presenters/journeys.ts). An extension of that name would hide the real value or be
 * hidden by it, so none may be named so; nor `__proto__`, which would write a prototype.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "service_id",
  "service_type",
  "customer_id",
  "contact_key",
  "state_id",
  "state_type",
  "previous_state_id",
  "task_id",
  "task_type",
  "est_duration",
  "started",
  "completed",
  "disposition",
  "disposition_desc",
  "active_states",
  "completed_states",
  "active_tasks",
  "completed_tasks",
  "__proto__",
]);

const START_FIELDS: Record<Kind, ReadonlySet<string>> = {
  service: new Set([...COMMON_START, ...SERVICE_START_OWN]),
  state: new Set([...COMMON_START, ...STATE_START_OWN]),
  task: new Set([...COMMON_START, ...TASK_START_OWN]),
};
const END_FIELDS: Record<Kind, ReadonlySet<string>> = {
  service: new Set([...COMMON_END, ...SERVICE_END_OWN]),
  state: new Set(COMMON_END),
  task: new Set(COMMON_END),
};
/** Documented event fields of either phase (seed 001 starts a service with a `disposition`). */
const EVENT_FIELDS_ANY_PHASE: ReadonlySet<string> = new Set([...COMMON_START, ...COMMON_END]);
const OWN_FIELDS: ReadonlySet<string> = new Set([...SERVICE_START_OWN, ...STATE_START_OWN, ...TASK_START_OWN, ...CONTROL_KEYS]);

/**
 * What only a start sets: the entity's own fields and its identity. Genesys's own test flows end
 * a task with the body it was started with; these cannot change at the end, so an end event
 * carrying them is accepted and they are ignored (never stored as extensions).
 */
const START_ONLY: ReadonlySet<string> = new Set([...OWN_FIELDS, "task_id", "previous_state_id"]);

export interface SplitEvent {
  /** Documented fields kept in `started` / `completed` (own fields removed). */
  event: JsonObject;
  /** Documented fields that belong to the entity (customer_id, service_type, ttl, ...). */
  own: JsonObject;
  extensions: Extensions;
}

/** Splits a start (or end) event body into its documented fields and its extensions. */
export function splitEvent(body: JsonObject, kind: Kind, phase: "start" | "end"): SplitEvent {
  const known = phase === "start" ? START_FIELDS[kind] : END_FIELDS[kind];
  const split: SplitEvent = { event: {}, own: {}, extensions: {} };
  for (const [key, value] of Object.entries(body)) {
    if (known.has(key) && OWN_FIELDS.has(key)) split.own[key] = value;
    else if (known.has(key)) split.event[key] = value;
    else if ((CONTROL_KEYS as readonly string[]).includes(key)) continue;
    else if (phase === "end" && START_ONLY.has(key)) continue;
    // A documented field of the other phase stays with the event: as an extension it would
    // shadow the field presenters hoist (`disposition`, `est_duration`).
    else if (EVENT_FIELDS_ANY_PHASE.has(key)) split.event[key] = value;
    else split.extensions[key] = checkExtensionName(key, value);
  }
  return split;
}

/**
 * An integer id as clients send it: a number, or digits in a string (Java clients pass ids
 * around as strings). Null when absent; 400 naming the field when it is neither.
 */
export function integerId(value: Json | undefined, field: string): number | null {
  if (value === undefined || value === null) return null;
  const n = typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 2_147_483_647) throw invalidInput(`${field}: an integer id (0 to 2147483647)`);
  return n;
}

/** Start Service needs one of the two: whose journey it is, or the key an anonymous one is found by. */
export function requireCustomerOrContactKey(own: JsonObject): void {
  if (own.customer_id === undefined && own.contact_key === undefined) {
    throw invalidInput("customer_id or contact_key: one of them is required to start a service");
  }
}

/** Refuses extension names that are empty, too long, or would collide with a presented key. */
export function checkExtensionName(name: string, value: Json): Json {
  if (name.length === 0 || name.length > 128) {
    throw invalidInput(`extension names must be 1 to 128 characters long`);
  }
  if (RESERVED_NAMES.has(name)) {
    throw invalidInput(`${name}: not allowed here, and reserved so it cannot name an extension`);
  }
  return value;
}

/** The documented end-event fields among an event's fields (a transition shares them). */
export function endFieldsOf(event: JsonObject, kind: Kind): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(event)) if (END_FIELDS[kind].has(key)) out[key] = value;
  return out;
}

/** Stamps the server time on an event that carries no `timestamp` (seed 000: "the server does it"). */
export function stampEvent(event: JsonObject, now: number): JsonObject {
  return event.timestamp === undefined ? { ...event, timestamp: new Date(now).toISOString() } : event;
}

/** When the event happened: its own timestamp or now. */
export function eventTime(event: JsonObject, now: number): number {
  const ts = event.timestamp;
  return (typeof ts === "string" ? parseTimestamp(ts) : undefined) ?? now;
}

/** Epoch milliseconds of a GMS ISO 8601 timestamp, read as UTC when it has no zone. */
export function parseTimestamp(ts: string): number | undefined {
  const parsed = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(ts) ? ts : `${ts}Z`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** ISO 8601 date-time as GMS documents it; the zone may be omitted (seed 001 omits it). */
export const ISO_DATE_TIME = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|z|[+-]\\d{2}:?\\d{2})?$";

/** Replaces the named extensions, keeping the others (Complete/Associate semantics). */
export function replaceExtensions(current: Extensions, updates: Extensions): Extensions {
  return { ...current, ...updates };
}

/**
 * Merge Extension Data: adds the given keys to an object-valued extension, replacing keys that
 * exist (the pragmatic reading of the docs). Arrays cannot be merged.
 */
export function mergeExtension(current: Json | undefined, patch: Json, name: string): Json {
  if (!isPlainObject(patch)) throw invalidInput(`${name}: only a JSON object can be merged into an extension`);
  if (current === undefined) return patch;
  if (!isPlainObject(current)) throw invalidInput(`${name}: the stored extension is not an object and cannot be merged`);
  return { ...current, ...patch };
}

function isPlainObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Which extensions a query returns: none by default, named ones, or all (`*`). */
export type NameSet = "all" | ReadonlySet<string>;
export interface ExtensionSelector {
  service: NameSet;
  state: NameSet;
  task: NameSet;
}

/**
 * Parses `extensions=a,b,State.c,Task.*`. Bare names apply to the queried entity (`top`);
 * `State.`/`Task.` prefixes to nested ones; `*` alone selects everything; `State.` or `State.*`
 * all of that kind.
 */
export function parseExtensionSelector(raw: string | undefined, top: Kind): ExtensionSelector {
  const names: Record<Kind, Set<string> | "all"> = { service: new Set(), state: new Set(), task: new Set() };
  for (const item of (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item === "*") return { service: "all", state: "all", task: "all" };
    const m = /^(Service|State|Task)\.(.*)$/.exec(item);
    const kind: Kind = m?.[1] === undefined ? top : (m[1].toLowerCase() as Kind);
    const name = m?.[2] ?? item;
    const set = names[kind];
    if (set === "all") continue;
    if (name === "" || name === "*") names[kind] = "all";
    else set.add(name);
  }
  return { service: names.service, state: names.state, task: names.task };
}

export function selectExtensions(all: Extensions, names: NameSet): Extensions {
  if (names === "all") return all;
  const out: Extensions = {};
  for (const name of names) if (all[name] !== undefined) out[name] = all[name];
  return out;
}

/** Resolves a service's auto-complete delay from the start event and the `cview` options. */
export function resolveAutoCompleteAfter(requested: number | undefined, options: { enabled: boolean; defaultAfterSeconds: number | null }): number | null {
  if (!options.enabled) return null;
  return requested ?? options.defaultAfterSeconds;
}

/**
 * Resolves an explicit expiry from `ttl` (seconds from now, wins) or `expiration_time`
 * (Update Expiration Time); undefined when neither was given.
 */
export function explicitExpiry(own: JsonObject, now: number): number | undefined {
  if (typeof own.ttl === "number") return now + own.ttl * 1000;
  if (typeof own.expiration_time === "string") return eventTime({ timestamp: own.expiration_time }, now);
  return undefined;
}

/**
 * Business-attribute values arrive as long or string; a type filter (`service_types=1,a`) is a
 * list of strings. Both spellings of a numeric value match, so `1` finds `1` and `"1"`.
 */
export function typeFilterCandidates(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    out.add(JSON.stringify(v));
    if (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) out.add(JSON.stringify(Number(v)));
  }
  return [...out];
}

/** A service as read, with the steps the request asked to nest (`active_states`, ...). */
export interface ServiceView {
  service: Service;
  activeStates?: State[];
  completedStates?: State[];
  activeTasks?: Task[];
  completedTasks?: Task[];
}

/** A state as read, with the tasks the request asked to nest. */
export interface StateView {
  state: State;
  activeTasks?: Task[];
  completedTasks?: Task[];
}

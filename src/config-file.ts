/**
 * The optional configuration file (`PARLEY_CONFIG`, JSON): routing queues, chat services and
 * push settings, which do not fit environment variables. Read once at start by config.ts; every
 * problem is reported with its JSON path, together with the environment's.
 */
import { readFileSync } from "node:fs";
import { DEFAULT_AGENT_STATES, type AgentStateOperation } from "./domain/agent-state.ts";
import type { ChatServiceDefinition, ChatServiceKind } from "./domain/chat.ts";
import type { BusinessAttribute } from "./domain/metadata.ts";
import type { OverflowStep } from "./domain/overflow.ts";
import { isPriority, PRIORITY_MAX, PRIORITY_MIN } from "./domain/priority.ts";
import { defaultPolicy, type QueuePolicy } from "./domain/queue-policy.ts";
import type { Skill } from "./domain/users.ts";

type PushProviderName = "comet" | "httpcb" | "log";

export interface PushSettings {
  /** Where pushes go: CometD (`/_genesys` of the service's gms_user), an HTTP callback, or the log. */
  provider: PushProviderName;
  /** httpcb: the URL each notification is POSTed to (JSON). */
  url: string | null;
  /** A backgrounded app gets agent messages as pushes after this (GMS `_client_timeout_notification`), ms. */
  backgroundDelayMs: number;
  /** `internal-poke` without `poke_message` sends this. */
  pokeMessage: string;
}

export interface ChatServiceConfig extends ChatServiceDefinition {
  push: PushSettings;
}

export interface FileConfig {
  /** Queues the file names, with how each is run (wrap-up, service level, capacity). */
  queues: QueuePolicy[];
  chatServices: ChatServiceConfig[];
  /** Context Services business attributes (GMS's `business-attributes` section). */
  businessAttributes: BusinessAttribute[];
  /** Agent-state operations besides Ready and NotReady (GET /api/v2/settings/agent-states). */
  agentStates: AgentStateOperation[];
}

const DEFAULT_PUSH: PushSettings = {
  provider: "comet",
  url: null,
  backgroundDelayMs: 90_000,
  pokeMessage: "An agent is waiting for you in the chat",
};

/**
 * The two services of seed 004 and Genesys Widgets' default (`customer-support`, Chat API v2),
 * all routing to queue `default`; a file may redefine them.
 */
const SEED_SERVICES: ChatServiceDefinition[] = [
  { name: "request-chat", kind: "basic", queue: "default", ttlSeconds: 3600, disconnectedAs400: false, priority: 0 },
  { name: "request-chat-poll", kind: "advanced", queue: "default", ttlSeconds: 3600, disconnectedAs400: false, priority: 0 },
  { name: "customer-support", kind: "basic", queue: "default", ttlSeconds: 3600, disconnectedAs400: false, priority: 0 },
];

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Service names that are URL segments of a service id's own operations. */
const RESERVED = new Set(["status", "ixn", "internal-poke"]);

function defaultFileConfig(): FileConfig {
  return { queues: [], chatServices: SEED_SERVICES.map((s) => ({ ...s, push: DEFAULT_PUSH })), businessAttributes: [], agentStates: [...DEFAULT_AGENT_STATES] };
}

/** Reads and checks the file; problems are appended to `problems` and the defaults stand for them. */
export function readFileConfig(path: string | null, problems: string[]): FileConfig {
  const config = defaultFileConfig();
  if (path === null) return config;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    problems.push(`PARLEY_CONFIG=${path}: ${(err as Error).message}`);
    return config;
  }
  const at = (where: string, message: string) => problems.push(`PARLEY_CONFIG ${where}: ${message}`);
  if (!isObject(raw)) {
    at("", "must be a JSON object");
    return config;
  }
  const globalPush = readPush(raw.push, DEFAULT_PUSH, "push", at);
  config.chatServices = config.chatServices.map((s) => ({ ...s, push: globalPush }));
  if (raw.queues !== undefined) {
    if (!Array.isArray(raw.queues)) at("queues", "must be an array");
    else
      raw.queues.forEach((q, i) => {
        const queue = readQueue(q, `queues[${i}]`, at);
        if (queue !== null) config.queues.push(queue);
      });
  }
  if (raw.chatServices !== undefined) {
    if (!Array.isArray(raw.chatServices)) at("chatServices", "must be an array");
    else
      raw.chatServices.forEach((s, i) => {
        const service = readService(s, globalPush, `chatServices[${i}]`, at);
        if (service === null) return;
        config.chatServices = [...config.chatServices.filter((c) => c.name !== service.name), service];
      });
  }
  if (raw.businessAttributes !== undefined) {
    if (!Array.isArray(raw.businessAttributes)) at("businessAttributes", "must be an array");
    else
      raw.businessAttributes.forEach((b, i) => {
        const ba = readBusinessAttribute(b, `businessAttributes[${i}]`, at);
        if (ba !== null) config.businessAttributes.push(ba);
      });
  }
  if (raw.agentStates !== undefined) {
    if (!Array.isArray(raw.agentStates)) at("agentStates", "must be an array");
    else {
      config.agentStates = [];
      raw.agentStates.forEach((a, i) => {
        const operation = readAgentState(a, `agentStates[${i}]`, at);
        if (operation === null) return;
        if (config.agentStates.some((o) => o.operationName === operation.operationName)) at(`agentStates[${i}].operationName`, "named twice");
        else config.agentStates.push(operation);
      });
    }
  }
  const keys = ["queues", "chatServices", "push", "businessAttributes", "agentStates"];
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) at(key, `unknown key (${keys.join(", ")})`);
  }
  return config;
}

type At = (where: string, message: string) => void;

const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** `{operationName, displayName?, state: "Ready" | "NotReady", reason?}`. */
function readAgentState(raw: unknown, where: string, at: At): AgentStateOperation | null {
  if (!isObject(raw)) {
    at(where, "must be an object");
    return null;
  }
  const { operationName, displayName, state, reason } = raw;
  let ok = true;
  if (typeof operationName !== "string" || !OPERATION_NAME.test(operationName)) {
    at(`${where}.operationName`, "1 to 64 letters, digits, _ or -, starting with a letter");
    ok = false;
  }
  if (state !== "Ready" && state !== "NotReady") {
    at(`${where}.state`, "Ready or NotReady");
    ok = false;
  }
  if (displayName !== undefined && (typeof displayName !== "string" || displayName.length === 0 || displayName.length > 128)) {
    at(`${where}.displayName`, "1 to 128 characters");
    ok = false;
  }
  if (reason !== undefined && (typeof reason !== "string" || reason.length === 0 || reason.length > 128 || state === "Ready")) {
    at(`${where}.reason`, "1 to 128 characters, and only for NotReady");
    ok = false;
  }
  if (!ok) return null;
  const name = operationName as string;
  return {
    operationName: name,
    displayName: (displayName as string | undefined) ?? name,
    state: state as "Ready" | "NotReady",
    reason: (reason as string | undefined) ?? (state === "NotReady" ? name : null),
  };
}

function readQueue(raw: unknown, where: string, at: At): QueuePolicy | null {
  if (!isObject(raw) || typeof raw.name !== "string" || !NAME.test(raw.name)) {
    at(`${where}.name`, "1 to 64 letters, digits or . _ -");
    return null;
  }
  const skills: Skill[] = [];
  const list = raw.skills ?? [];
  if (!Array.isArray(list)) at(`${where}.skills`, "must be an array of {name, level}");
  else
    list.forEach((s, i) => {
      if (isObject(s) && typeof s.name === "string" && s.name.length > 0 && Number.isInteger(s.level) && (s.level as number) >= 0) {
        skills.push({ name: s.name, level: s.level as number });
      } else at(`${where}.skills[${i}]`, "must be {name: string, level: integer >= 0}");
    });
  const policy = defaultPolicy(raw.name, skills);
  const seconds = (key: "wrapUpSeconds" | "serviceLevelSeconds" | "shortAbandonSeconds", max: number) => {
    const value = raw[key];
    if (value === undefined) return;
    if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max) policy[key] = value as number;
    else at(`${where}.${key}`, `an integer from 0 to ${max}`);
  };
  seconds("wrapUpSeconds", 3600);
  seconds("serviceLevelSeconds", 3600);
  seconds("shortAbandonSeconds", 600);
  if (raw.maxWaiting !== undefined && raw.maxWaiting !== null) {
    if (Number.isInteger(raw.maxWaiting) && (raw.maxWaiting as number) >= 0 && (raw.maxWaiting as number) <= 1_000_000)
      policy.maxWaiting = raw.maxWaiting as number;
    else at(`${where}.maxWaiting`, "an integer from 0 to 1000000, or null");
  }
  if (raw.overflow !== undefined) policy.overflow = readOverflow(raw.overflow, `${where}.overflow`, at);
  const keys = ["name", "skills", "wrapUpSeconds", "serviceLevelSeconds", "shortAbandonSeconds", "maxWaiting", "overflow"];
  for (const key of Object.keys(raw)) if (!keys.includes(key)) at(`${where}.${key}`, `unknown key (${keys.join(", ")})`);
  return policy;
}

/** A queue's overflow steps: `[{afterSeconds, lowerSkillLevelBy?, addQueues?, raisePriorityBy?}]`, later steps after earlier ones. */
function readOverflow(raw: unknown, where: string, at: At): OverflowStep[] {
  if (!Array.isArray(raw) || raw.length > MAX_OVERFLOW_STEPS) {
    at(where, `an array of at most ${MAX_OVERFLOW_STEPS} steps`);
    return [];
  }
  const steps: OverflowStep[] = [];
  raw.forEach((s, i) => {
    const step = readOverflowStep(s, `${where}[${i}]`, at);
    if (step === null) return;
    const before = steps.at(-1);
    if (before !== undefined && step.afterSeconds <= before.afterSeconds) at(`${where}[${i}].afterSeconds`, "must be after the step before");
    else steps.push(step);
  });
  return steps;
}

const MAX_OVERFLOW_STEPS = 10;

function readOverflowStep(raw: unknown, where: string, at: At): OverflowStep | null {
  if (!isObject(raw)) {
    at(where, "must be {afterSeconds, lowerSkillLevelBy?, addQueues?, raisePriorityBy?}");
    return null;
  }
  let ok = true;
  const integer = (key: string, min: number, max: number, fallback: number | null): number => {
    const value = raw[key] ?? fallback;
    if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) return value as number;
    at(`${where}.${key}`, `an integer from ${min} to ${max}`);
    ok = false;
    return 0;
  };
  const step: OverflowStep = {
    afterSeconds: integer("afterSeconds", 1, 86_400, null),
    lowerSkillLevelBy: integer("lowerSkillLevelBy", 0, 1000, 0),
    raisePriorityBy: integer("raisePriorityBy", 0, PRIORITY_MAX, 0),
    addQueues: [],
  };
  const queues = raw.addQueues ?? [];
  if (Array.isArray(queues) && queues.length <= 20 && queues.every((q) => typeof q === "string" && NAME.test(q))) step.addQueues = queues as string[];
  else {
    at(`${where}.addQueues`, "an array of at most 20 queue names");
    ok = false;
  }
  const keys = ["afterSeconds", "lowerSkillLevelBy", "addQueues", "raisePriorityBy"];
  for (const key of Object.keys(raw)) if (!keys.includes(key)) at(`${where}.${key}`, `unknown key (${keys.join(", ")})`);
  return ok ? step : null;
}

function readService(raw: unknown, push: PushSettings, where: string, at: At): ChatServiceConfig | null {
  if (!isObject(raw)) {
    at(where, "must be an object");
    return null;
  }
  const { name, kind, queue, ttlSeconds, disconnectedAs400, priority } = raw;
  let ok = true;
  if (typeof name !== "string" || !NAME.test(name) || RESERVED.has(name)) {
    at(`${where}.name`, "1 to 64 letters, digits or . _ - (not status, ixn or internal-poke)");
    ok = false;
  }
  if (kind !== "basic" && kind !== "advanced") {
    at(`${where}.kind`, "basic or advanced");
    ok = false;
  }
  if (queue !== undefined && (typeof queue !== "string" || !NAME.test(queue))) {
    at(`${where}.queue`, "a queue name");
    ok = false;
  }
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || (ttlSeconds as number) < 10 || (ttlSeconds as number) > 30 * 86_400)) {
    at(`${where}.ttlSeconds`, "an integer from 10 to 2592000");
    ok = false;
  }
  if (disconnectedAs400 !== undefined && typeof disconnectedAs400 !== "boolean") {
    at(`${where}.disconnectedAs400`, "true or false");
    ok = false;
  }
  if (priority !== undefined && !isPriority(priority)) {
    at(`${where}.priority`, `an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
    ok = false;
  }
  // Read even when the rest is wrong, so its problems are reported in the same go.
  const servicePush = readPush(raw.push, push, `${where}.push`, at);
  if (!ok) return null;
  return {
    name: name as string,
    kind: kind as ChatServiceKind,
    queue: (queue as string | undefined) ?? "default",
    ttlSeconds: (ttlSeconds as number | undefined) ?? 3600,
    disconnectedAs400: disconnectedAs400 === true,
    priority: (priority as number | undefined) ?? 0,
    push: servicePush,
  };
}

function readPush(raw: unknown, base: PushSettings, where: string, at: At): PushSettings {
  if (raw === undefined) return base;
  if (!isObject(raw)) {
    at(where, "must be an object");
    return base;
  }
  const push = { ...base };
  if (raw.provider !== undefined) {
    if (raw.provider === "comet" || raw.provider === "httpcb" || raw.provider === "log") push.provider = raw.provider;
    else at(`${where}.provider`, "comet, httpcb or log");
  }
  if (raw.url !== undefined) {
    if (typeof raw.url === "string" && /^https?:\/\/\S+$/.test(raw.url)) push.url = raw.url;
    else at(`${where}.url`, "an http(s) URL");
  }
  if (raw.backgroundDelaySeconds !== undefined) {
    const s = raw.backgroundDelaySeconds;
    if (Number.isInteger(s) && (s as number) >= 0 && (s as number) <= 86_400) push.backgroundDelayMs = (s as number) * 1000;
    else at(`${where}.backgroundDelaySeconds`, "an integer from 0 to 86400");
  }
  if (raw.pokeMessage !== undefined) {
    if (typeof raw.pokeMessage === "string" && raw.pokeMessage.length > 0 && raw.pokeMessage.length <= 1024) push.pokeMessage = raw.pokeMessage;
    else at(`${where}.pokeMessage`, "a string of 1 to 1024 characters");
  }
  if (push.provider === "httpcb" && push.url === null) at(`${where}.url`, "required with provider httpcb");
  return push;
}

const CV_ATTRIBUTE = /^(Service|State|Task)\.(type|media_type|disposition|application_type|resource_type)$/;

function readBusinessAttribute(raw: unknown, where: string, at: At): BusinessAttribute | null {
  if (!isObject(raw) || typeof raw.name !== "string" || !NAME.test(raw.name)) {
    at(`${where}.name`, "1 to 64 letters, digits or . _ -");
    return null;
  }
  const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : "");
  const cv = raw.cv_attributes ?? [];
  if (!Array.isArray(cv) || !cv.every((c) => typeof c === "string" && CV_ATTRIBUTE.test(c))) {
    at(`${where}.cv_attributes`, "names like Service.type, State.media_type, Task.disposition");
    return null;
  }
  const values = raw.values;
  if (!Array.isArray(values) || !values.every((v) => isObject(v) && typeof v.name === "string" && v.name.length > 0)) {
    at(`${where}.values`, "a list of {name, dbid, display_name?, description?}");
    return null;
  }
  return {
    name: raw.name,
    dbid: text(raw.dbid) || raw.name,
    display_name: text(raw.display_name) || raw.name,
    description: text(raw.description),
    map_name: raw.map_name === true,
    cv_attributes: cv as string[],
    values: values.map((v) => {
      const value = v as Record<string, unknown>;
      return {
        name: value.name as string,
        dbid: text(value.dbid) || (value.name as string),
        display_name: text(value.display_name) || (value.name as string),
        description: text(value.description),
      };
    }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

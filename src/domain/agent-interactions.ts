/**
 * Interactions as agents work them (seed 003): one unit of work of any media (`chat`,
 * `openmedia`, later `email`, `sms`), queued, offered to an agent, accepted, transferred,
 * conferenced, parked in a workbin, completed. Pure types and the rules of every operation;
 * no I/O. What an operation changes and whom it tells is decided here, the action stores it.
 */
import { invalidInput, invalidState } from "./errors.ts";
import type { JsonObject } from "./json.ts";
import { leaveOverflow } from "./overflow.ts";
import { readPriority } from "./priority.ts";
import type { Channel } from "./users.ts";

export type WorkState = "Queued" | "Invited" | "Accepted" | "InWorkbin" | "Completed";
/** What an agent sees: the interaction's state from where they stand. */
export type ViewState = WorkState | "InvitedConference" | "LeftConference";

/** An open invitation: a routing offer, a transfer, or a conference invitation. */
export interface Invitation {
  agentId: string;
  kind: "route" | "transfer" | "conference";
  /** A routing offer expires (ROUTING_OFFER_TIMEOUT_MS); transfers and conferences wait. */
  expiresAt: number | null;
}

export interface AgentInteraction {
  id: string;
  mediaType: Channel;
  state: WorkState;
  /** The queue it waits in or was routed from. */
  queue: string;
  /**
   * The queue it entered first, where service-level statistics count it (domain/queue-statistics.ts):
   * a later PlaceInQueue moves `queue`, never this.
   */
  entryQueue: string;
  /** The agent processing it (Accepted), or who last did (Completed, InWorkbin). */
  ownerId: string | null;
  invitation: Invitation | null;
  /** Agents in conference with the owner. */
  conference: string[];
  /** The agent who last rejected or let an offer expire: not offered it again at once. */
  lastRejectedBy: string | null;
  workbin: string | null;
  /** Attached data (GWS `userData`). */
  properties: JsonObject;
  customerId: string | null;
  createdAt: number;
  /** When it (last) entered its queue: routing takes the longest waiting first. */
  queuedAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** When its owner accepted it (a route offer or a transfer): handle time runs from here to completion. */
  acceptedAt: number | null;
  /** When an agent first accepted it (answered it); null until then. */
  answeredAt: number | null;
  /** When its customer left before any agent had answered (abandoned it); null otherwise. */
  abandonedAt: number | null;
  /** Routing priority (priority.ts): higher first; the raises of the overflow steps reached included. */
  priority: number;
  /** How many of its queue's overflow steps it has reached (overflow.ts). */
  overflowStep: number;
  /** Who its customer is, for last-agent routing (last-agent.ts); null: nobody vouched for them. */
  customerKey: string | null;
  /** Whether its owner may be remembered as the customer's last agent (GWS `saveLAR`, true unless they said false). */
  saveLastAgent: boolean;
}

export type NotificationType = "NewInteraction" | "StatusChange" | "PropertiesUpdated" | "WorkbinContent";

/** Whom an operation tells, and how; each recipient sees its own state. */
interface Notice {
  agentId: string;
  notificationType: NotificationType;
  /** The state this recipient is told, when it is not the one they see now (they left). */
  state?: ViewState;
}

export interface Outcome {
  next: AgentInteraction;
  notices: Notice[];
  /** The interaction ended: record it as contact history. */
  completed: boolean;
  /** Capacity or work changed: routing should run again. */
  reroute: boolean;
  /** UpdateProperties: the keys it set (null where it removed one), which is all PropertiesUpdated tells. */
  changedProperties?: JsonObject;
}

export type Operation =
  | { operationName: "Accept"; saveLAR?: boolean }
  | { operationName: "Reject" }
  | { operationName: "StopProcessing"; saveLAR?: boolean }
  | { operationName: "PlaceInQueue"; queue: string }
  | { operationName: "PlaceInWorkbin"; workbin: string }
  | { operationName: "UpdateProperties"; properties: JsonObject; priority?: number }
  | { operationName: "Transfer"; targetId: string }
  | { operationName: "StartConference"; agentId: string }
  | { operationName: "EndConference" };

/** Who is involved: may see it and is told about it. */
export function isInvolved(ix: AgentInteraction, agentId: string): boolean {
  return ix.ownerId === agentId || ix.invitation?.agentId === agentId || ix.conference.includes(agentId);
}

/** The state `agentId` sees. */
export function viewState(ix: AgentInteraction, agentId: string): ViewState {
  if (ix.invitation?.agentId === agentId) return ix.invitation.kind === "conference" ? "InvitedConference" : "Invited";
  if (ix.state === "Invited" && ix.ownerId === agentId) return "Accepted";
  return ix.state;
}

/**
 * The capacity it takes from each agent (routing's load, kept per agent and channel in the
 * store): while offered or worked on (Invited, Accepted), one slot of its owner, of the agent it
 * is offered to (a transfer or conference invitee besides the owner) and of each conference
 * member. Queued, parked and completed work takes none.
 */
function slotsTaken(ix: AgentInteraction): Map<string, number> {
  const taken = new Map<string, number>();
  if (ix.state !== "Invited" && ix.state !== "Accepted") return taken;
  const take = (agentId: string | null) => {
    if (agentId !== null) taken.set(agentId, (taken.get(agentId) ?? 0) + 1);
  };
  take(ix.ownerId);
  if (ix.invitation !== null && ix.invitation.agentId !== ix.ownerId) take(ix.invitation.agentId);
  for (const agentId of ix.conference) take(agentId);
  return taken;
}

/** How each agent's load on the interaction's channel moves from `before` (null: new) to `after`. */
export function loadChanges(before: AgentInteraction | null, after: AgentInteraction): Map<string, number> {
  const changes = slotsTaken(after);
  if (before !== null) for (const [agentId, n] of slotsTaken(before)) changes.set(agentId, (changes.get(agentId) ?? 0) - n);
  for (const [agentId, n] of changes) if (n === 0) changes.delete(agentId);
  return changes;
}

/** Everyone who works on it now: owner and conference members (not invitees). */
function workers(ix: AgentInteraction): string[] {
  return [...(ix.ownerId === null ? [] : [ix.ownerId]), ...ix.conference];
}

function outcome(next: AgentInteraction, notices: Notice[], flags: { completed?: boolean; reroute?: boolean } = {}): Outcome {
  return { next, notices, completed: flags.completed === true, reroute: flags.reroute === true };
}

function refuse(operationName: string, ix: AgentInteraction, actor: string): never {
  throw invalidState(`${operationName} is not possible on interaction ${ix.id} in state ${viewState(ix, actor)}`);
}

/**
 * Applies an agent's operation. `actor` is involved (access checked it), targets exist (the
 * action checked them); `now` stamps it. Throws invalid_state when the state does not allow it.
 */
export function applyOperation(ix: AgentInteraction, actor: string, op: Operation, now: number): Outcome {
  const at = { updatedAt: now };
  const invitedHere = ix.invitation?.agentId === actor;
  const owns = ix.ownerId === actor && ix.state === "Accepted";
  switch (op.operationName) {
    case "Accept": {
      // The owner takes back what they parked in their workbin.
      if (ix.state === "InWorkbin" && ix.ownerId === actor && ix.invitation === null) {
        const next: AgentInteraction = { ...ix, ...at, state: "Accepted", workbin: null };
        return outcome(next, [{ agentId: actor, notificationType: "StatusChange" }]);
      }
      if (!invitedHere || ix.invitation === null) refuse(op.operationName, ix, actor);
      const { kind } = ix.invitation;
      if (kind === "conference") {
        const next = { ...ix, ...at, invitation: null, conference: [...ix.conference, actor] };
        return outcome(
          next,
          workers(next).map((agentId) => ({ agentId, notificationType: "StatusChange" as const })),
        );
      }
      // A route offer or a transfer: the accepting agent owns it; a transferring one is released.
      const previous = kind === "transfer" ? ix.ownerId : null;
      const saveLastAgent = op.saveLAR ?? true;
      const next: AgentInteraction = {
        ...ix,
        ...at,
        state: "Accepted",
        ownerId: actor,
        invitation: null,
        workbin: null,
        acceptedAt: now,
        answeredAt: ix.answeredAt ?? now,
        saveLastAgent,
      };
      const notices: Notice[] = [{ agentId: actor, notificationType: "StatusChange" }];
      if (previous !== null && previous !== actor) notices.push({ agentId: previous, notificationType: "StatusChange", state: "Completed" });
      return outcome(next, notices, { reroute: previous !== null });
    }
    case "Reject": {
      if (!invitedHere || ix.invitation === null) refuse(op.operationName, ix, actor);
      const declined: Notice = { agentId: actor, notificationType: "StatusChange", state: "Completed" };
      if (ix.invitation.kind !== "route") {
        // A declined transfer or conference leaves the interaction with whoever had it.
        const next = { ...ix, ...at, invitation: null };
        return outcome(next, [declined, ...workers(next).map((agentId) => ({ agentId, notificationType: "StatusChange" as const }))], { reroute: true });
      }
      return outcome(requeue(ix, now, actor), [declined], { reroute: true });
    }
    case "StopProcessing": {
      if (!owns && !ix.conference.includes(actor)) refuse(op.operationName, ix, actor);
      if (ix.conference.includes(actor)) return leaveConference(ix, actor, now);
      const [heir, ...rest] = ix.conference;
      if (heir !== undefined) {
        // The owner stops while others remain in conference: the first of them takes it over.
        const next = { ...ix, ...at, ownerId: heir, conference: rest };
        return outcome(next, [{ agentId: actor, notificationType: "StatusChange", state: "Completed" }, ...notifyWorkers(next)], { reroute: true });
      }
      const saveLastAgent = op.saveLAR ?? ix.saveLastAgent;
      const next: AgentInteraction = { ...ix, ...at, state: "Completed", invitation: null, completedAt: now, saveLastAgent };
      const notices: Notice[] = [{ agentId: actor, notificationType: "StatusChange" }];
      if (ix.invitation !== null) notices.push({ agentId: ix.invitation.agentId, notificationType: "StatusChange", state: "Completed" });
      return outcome(next, notices, { completed: true, reroute: true });
    }
    case "PlaceInQueue": {
      if (!owns) refuse(op.operationName, ix, actor);
      const requeued = { ...requeue(ix, now, null), conference: [] };
      const next = op.queue === ix.queue ? requeued : { ...leaveOverflow(requeued), queue: op.queue };
      return outcome(next, released(ix, actor), { reroute: true });
    }
    case "PlaceInWorkbin": {
      if (!owns) refuse(op.operationName, ix, actor);
      const next: AgentInteraction = { ...ix, ...at, state: "InWorkbin", workbin: op.workbin, invitation: null, conference: [] };
      // Its owner sees it parked (and can take it back); everyone else was released.
      return outcome(next, released(ix, actor, "InWorkbin"), { reroute: true });
    }
    case "UpdateProperties": {
      if (!owns && !ix.conference.includes(actor)) refuse(op.operationName, ix, actor);
      const next = { ...ix, ...at, properties: mergeProperties(ix.properties, op.properties), priority: op.priority ?? ix.priority };
      const notices = workers(next).map((agentId) => ({ agentId, notificationType: "PropertiesUpdated" as const }));
      return { ...outcome(next, notices), changedProperties: op.properties };
    }
    case "Transfer": {
      if (!owns || ix.invitation !== null) refuse(op.operationName, ix, actor);
      if (op.targetId === actor || isInvolved(ix, op.targetId)) throw invalidInput(`targetId: ${op.targetId} already works on this interaction`);
      const next = { ...ix, ...at, invitation: { agentId: op.targetId, kind: "transfer" as const, expiresAt: null } };
      return outcome(next, [
        { agentId: op.targetId, notificationType: "NewInteraction" },
        { agentId: actor, notificationType: "StatusChange" },
      ]);
    }
    case "StartConference": {
      if (!owns || ix.invitation !== null) refuse(op.operationName, ix, actor);
      if (op.agentId === actor || isInvolved(ix, op.agentId)) throw invalidInput(`agentId: ${op.agentId} already works on this interaction`);
      const next = { ...ix, ...at, invitation: { agentId: op.agentId, kind: "conference" as const, expiresAt: null } };
      return outcome(next, [
        { agentId: op.agentId, notificationType: "NewInteraction" },
        { agentId: actor, notificationType: "StatusChange" },
      ]);
    }
    case "EndConference": {
      if (ix.conference.includes(actor)) return leaveConference(ix, actor, now);
      if (owns && ix.conference.length > 0) {
        // The owner ends the conference: everyone else leaves, the owner keeps it.
        const next = { ...ix, ...at, conference: [] };
        const left = ix.conference.map((agentId) => ({ agentId, notificationType: "StatusChange" as const, state: "LeftConference" as const }));
        return outcome(next, [...left, { agentId: actor, notificationType: "StatusChange" }], { reroute: true });
      }
      return refuse(op.operationName, ix, actor);
    }
  }
}

/** A routing offer that was not answered in time: back to the queue, not to the same agent at once. */
export function expireOffer(ix: AgentInteraction, now: number): Outcome {
  const agentId = ix.invitation?.agentId;
  if (ix.state !== "Invited" || agentId === undefined) throw invalidState(`interaction ${ix.id} has no open offer`);
  return outcome(requeue(ix, now, agentId), [{ agentId, notificationType: "StatusChange", state: "Completed" }], { reroute: true });
}

/**
 * An agent is deleted: whatever they held goes on without them. What they owned (or parked) is
 * queued again, their invitations are declined, their conference seat is left. Null: nothing to do.
 */
export function releaseAgent(ix: AgentInteraction, agentId: string, now: number): Outcome | null {
  if (ix.state === "Completed") return null;
  if (ix.invitation?.agentId === agentId) {
    return ix.invitation.kind === "route" ? expireOffer(ix, now) : applyOperation(ix, agentId, { operationName: "Reject" }, now);
  }
  if (ix.conference.includes(agentId)) return leaveConference(ix, agentId, now);
  if (ix.ownerId !== agentId) return null;
  if (ix.state === "Accepted") return applyOperation(ix, agentId, { operationName: "PlaceInQueue", queue: ix.queue }, now);
  if (ix.state === "InWorkbin") return outcome(requeue(ix, now, null), [], { reroute: true });
  return null;
}

/**
 * The customer ended it (left the chat, or went silent): it is over for everyone on it, and
 * becomes history. Left while it still waited (queued or offered) and never answered, it was
 * abandoned. Null when it had already ended.
 */
export function endByCustomer(ix: AgentInteraction, now: number): Outcome | null {
  if (ix.state === "Completed") return null;
  const told = new Set<string>(ix.conference);
  if (ix.ownerId !== null && (ix.state === "Accepted" || ix.state === "InWorkbin")) told.add(ix.ownerId);
  if (ix.invitation !== null) told.add(ix.invitation.agentId);
  const waited = ix.answeredAt === null && (ix.state === "Queued" || ix.state === "Invited");
  const abandonedAt = waited ? now : ix.abandonedAt;
  const next: AgentInteraction = { ...ix, state: "Completed", invitation: null, conference: [], updatedAt: now, completedAt: now, abandonedAt };
  const notices = [...told].map((agentId) => ({ agentId, notificationType: "StatusChange" as const, state: "Completed" as const }));
  return outcome(next, notices, { completed: true, reroute: true });
}

/**
 * The customer attached data to their chat (Chat API v2 `updateData`): merged as UpdateProperties
 * merges, and the agents working on it told PropertiesUpdated. Null once it has ended.
 */
export function customerUpdatesData(ix: AgentInteraction, patch: JsonObject, now: number): Outcome | null {
  if (ix.state === "Completed") return null;
  const next: AgentInteraction = { ...ix, updatedAt: now, properties: mergeProperties(ix.properties, patch) };
  const notices = workers(next).map((agentId) => ({ agentId, notificationType: "PropertiesUpdated" as const }));
  return { ...outcome(next, notices), changedProperties: patch };
}

/** Routing offers it to `agentId`. */
export function offer(ix: AgentInteraction, agentId: string, now: number, timeoutMs: number): Outcome {
  if (ix.state !== "Queued") throw invalidState(`interaction ${ix.id} is not queued`);
  const next: AgentInteraction = { ...ix, state: "Invited", invitation: { agentId, kind: "route", expiresAt: now + timeoutMs }, updatedAt: now };
  return outcome(next, [{ agentId, notificationType: "NewInteraction" }]);
}

function leaveConference(ix: AgentInteraction, actor: string, now: number): Outcome {
  const next = { ...ix, updatedAt: now, conference: ix.conference.filter((a) => a !== actor) };
  const left: Notice = { agentId: actor, notificationType: "StatusChange", state: "LeftConference" };
  return outcome(next, [left, ...notifyWorkers(next)], { reroute: true });
}

function notifyWorkers(ix: AgentInteraction): Notice[] {
  return workers(ix).map((agentId) => ({ agentId, notificationType: "StatusChange" as const }));
}

/** Everyone who worked on it is told it left them. */
function released(ix: AgentInteraction, actor: string, actorState: ViewState = "Completed"): Notice[] {
  const notices: Notice[] = [{ agentId: actor, notificationType: "StatusChange", state: actorState }];
  for (const agentId of ix.conference) notices.push({ agentId, notificationType: "StatusChange", state: "LeftConference" });
  if (ix.invitation !== null) notices.push({ agentId: ix.invitation.agentId, notificationType: "StatusChange", state: "Completed" });
  return notices;
}

function requeue(ix: AgentInteraction, now: number, rejectedBy: string | null): AgentInteraction {
  return {
    ...ix,
    state: "Queued",
    ownerId: null,
    invitation: null,
    lastRejectedBy: rejectedBy,
    workbin: null,
    queuedAt: now,
    updatedAt: now,
    acceptedAt: null,
  };
}

/** Refuses attached data larger than `maxBytes` as JSON (INTERACTION_MAX_DATA_BYTES): at creation and after every update. */
export function checkAttachedData(properties: JsonObject, maxBytes: number): void {
  if (Buffer.byteLength(JSON.stringify(properties)) > maxBytes) throw invalidInput(`properties: at most ${maxBytes} bytes of attached data (as JSON)`);
}

/** UpdateProperties: keys replace keys; nested objects merge; `null` values remove. */
export function mergeProperties(current: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const existing = out[key];
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(existing)) out[key] = mergeProperties(existing, value);
    else out[key] = value;
  }
  return out;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses an operation body; an unknown name or a missing field is a 400 naming it. */
export function parseOperation(body: JsonObject): Operation {
  const name = body.operationName;
  const text = (field: string): string => {
    const value = body[field];
    if (typeof value !== "string" || value.length === 0 || value.length > 256) throw invalidInput(`${field}: required (a string)`);
    return value;
  };
  switch (name) {
    case "Accept":
    case "StopProcessing":
      return body.saveLAR === undefined ? { operationName: name } : { operationName: name, saveLAR: saveLar(body.saveLAR) };
    case "Reject":
    case "EndConference":
      return { operationName: name };
    case "LeaveConference":
      return { operationName: "EndConference" };
    case "PlaceInQueue":
      return { operationName: name, queue: text("queue") };
    case "PlaceInWorkbin":
      return { operationName: name, workbin: text("workbin") };
    case "UpdateProperties": {
      const properties = body.properties;
      if (!isObject(properties)) throw invalidInput("properties: required (an object)");
      return body.priority === undefined ? { operationName: name, properties } : { operationName: name, properties, priority: readPriority(body.priority) };
    }
    case "Transfer":
      return { operationName: name, targetId: text("targetId") };
    case "StartConference":
      return { operationName: name, agentId: text("agentId") };
    default:
      throw invalidInput(`operationName: ${typeof name === "string" ? name : "required"}${typeof name === "string" ? " is not an interaction operation" : ""}`);
  }
}

/** GWS's `saveLAR`: whether the agent may be remembered as the customer's last agent. */
function saveLar(value: unknown): boolean {
  if (typeof value !== "boolean") throw invalidInput("saveLAR: true or false");
  return value;
}

/** A supervisor sets its priority (the waiting order changes; nobody working on it is told). */
export function reprioritize(ix: AgentInteraction, priority: number, now: number): AgentInteraction {
  if (ix.state === "Completed") throw invalidState(`interaction ${ix.id} has ended`);
  return { ...ix, priority, updatedAt: now };
}

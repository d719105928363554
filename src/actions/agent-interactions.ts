/**
 * The agent Interactions API's use cases (seed 003): submit open media, list and read, and every
 * operation an agent performs. Each operation is one transaction over the locked interaction,
 * decided by domain/agent-interactions.ts; notifications leave after the commit; an interaction
 * that ends becomes contact history in the same transaction, and the wrap-up its queue asks for starts there.
 */
import { accessWorkForActing, accessWorkForReading } from "../access/agent-interactions.ts";
import { requireRole } from "../access/users.ts";
import { applyOperation, checkAttachedData, parseOperation, reprioritize, type AgentInteraction, type Outcome } from "../domain/agent-interactions.ts";
import { invalidInput, invalidState, notFound } from "../domain/errors.ts";
import { readPriority } from "../domain/priority.ts";
import { newUcsId, type EntityType } from "../domain/history.ts";
import type { JsonObject } from "../domain/json.ts";
import { CHANNELS, type Channel, type User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import { isChatOperation, operateChat, type SentMessage } from "./agent-chat.ts";
import { commit } from "./after-commit.ts";
import { placeNew } from "./routing.ts";
import { chatHistoryContent, recordAgentChanges } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";
import { startWrapUp } from "./wrap-ups.ts";
import { rememberLastAgent } from "./last-agents.ts";
import { interactionMessage } from "../wire/agent-api.ts";

/** How many interactions a supervisor's list shows at most. */
const ACTIVE_LIMIT = 10_000;

export interface Submission {
  mediaType: string;
  queue?: string;
  properties?: JsonObject;
  customerId?: string;
  /** Routing priority (0 when not given). */
  priority?: number;
  /** Who the customer is for last-agent routing (chats: last-agent.ts `customerKey`). */
  customerKey?: string | null;
}

/** Open media (and any other media a server-side app submits): queued and routed. Returns the id. */
export async function submitInteraction(ctx: ActionContext, actor: User, input: Submission): Promise<string> {
  requireRole(actor, "ROLE_ADMIN");
  if (input.priority !== undefined) readPriority(input.priority);
  return queueInteraction(ctx, { ...input, customerKey: null });
}

/** Queues a new interaction (chat uses this too); returns its id. */
async function queueInteraction(ctx: ActionContext, input: Submission): Promise<string> {
  const ix = newInteraction(input, ctx.now());
  checkAttachedData(ix.properties, ctx.interactionMaxDataBytes);
  const pool = await ctx.routing.view.candidates(ix.mediaType);
  await commit(ctx, async (tx, announce) => {
    const queue = await tx.queues.get(ix.queue);
    if (queue === null) throw invalidInput(`queue: there is no queue ${ix.queue}`);
    await placeNew(ctx, tx, announce, ix, queue, pool);
    announce.measured(null, ix);
  });
  return ix.id;
}

/** A new interaction, queued at `now` (not stored). */
export function newInteraction(input: Submission, now: number): AgentInteraction {
  if (!(CHANNELS as readonly string[]).includes(input.mediaType)) throw invalidInput(`mediaType: one of ${CHANNELS.join(", ")}`);
  const queueName = input.queue ?? "default";
  return {
    id: newUcsId(),
    mediaType: input.mediaType as Channel,
    state: "Queued",
    queue: queueName,
    entryQueue: queueName,
    ownerId: null,
    invitation: null,
    conference: [],
    lastRejectedBy: null,
    workbin: null,
    properties: input.properties ?? {},
    customerId: input.customerId ?? null,
    createdAt: now,
    queuedAt: now,
    updatedAt: now,
    completedAt: null,
    acceptedAt: null,
    answeredAt: null,
    abandonedAt: null,
    priority: input.priority ?? 0,
    overflowStep: 0,
    customerKey: input.customerKey ?? null,
    saveLastAgent: true,
  };
}

export async function myInteractions(ctx: ActionContext, user: User): Promise<AgentInteraction[]> {
  return ctx.store.agentInteractions.involving(user.id);
}

export async function allInteractions(ctx: ActionContext, user: User): Promise<AgentInteraction[]> {
  requireRole(user, "ROLE_SUPERVISOR", "ROLE_ADMIN");
  return ctx.store.agentInteractions.active(ACTIVE_LIMIT);
}

export async function getWork(ctx: ActionContext, user: User, id: string): Promise<AgentInteraction> {
  return accessWorkForReading(ctx.store, user, id);
}

/** `POST /me/interactions/{id}`: one operation by `user`; a SendMessage with a clientMessageId answers the message it names. */
export async function operate(ctx: ActionContext, user: User, id: string, body: JsonObject): Promise<SentMessage | null> {
  if (body.operationName === "GetWorkbinContent") {
    await sendWorkbinContent(ctx, user, id, body.workbin);
    return null;
  }
  if (isChatOperation(body.operationName)) return operateChat(ctx, user, id, body);
  await operateWork(ctx, user, id, body);
  return null;
}

/** Every operation that is not about a chat's transcript: a state change of the interaction. */
async function operateWork(ctx: ActionContext, user: User, id: string, body: JsonObject): Promise<void> {
  const op = parseOperation(body);
  if (op.operationName === "UpdateProperties" && op.priority !== undefined) mayPrioritize(user);
  await commit(ctx, async (tx, announce) => {
    const ix = await accessWorkForActing(tx, user, id);
    // A disabled user is no target, and is refused as an unknown one (404): which accounts are disabled is not told.
    if (op.operationName === "Transfer" && !(await isActiveUser(tx, op.targetId))) throw notFound(`targetId: there is no agent ${op.targetId}`);
    if (op.operationName === "StartConference" && !(await isActiveUser(tx, op.agentId))) throw notFound(`agentId: there is no agent ${op.agentId}`);
    if (op.operationName === "PlaceInQueue" && (await tx.queues.get(op.queue)) === null) throw invalidInput(`queue: there is no queue ${op.queue}`);
    const now = ctx.now();
    const result = applyOperation(ix, user.id, op, now);
    if (op.operationName === "UpdateProperties") checkAttachedData(result.next.properties, ctx.interactionMaxDataBytes);
    if (!(await tx.agentInteractions.update(result.next, ix))) {
      throw invalidState(`interaction ${id} changed meanwhile: try again`);
    }
    await markIdle(tx, result, now);
    announce.outcome(result);
    announce.measured(ix, result.next);
    announce.chat(await recordAgentChanges(tx, ctx, ix, result.next));
    if (result.completed) {
      await recordHistory(tx, ctx, result.next, now);
      // The agent completed it (only the owner can): their after-call work starts.
      await startWrapUp(tx, ctx, announce, result.next, user.id, now);
      await rememberLastAgent(tx, ctx, result.next, now);
    }
  });
}

async function isActiveUser(tx: Store, id: string): Promise<boolean> {
  return (await tx.users.get(id))?.enabled === true;
}

/**
 * `PUT /interactions/{id}`: new attached data from an agent working on it (with a priority too,
 * when a supervisor or admin works on it), or a priority alone from a supervisor or admin.
 */
export async function updateInteraction(ctx: ActionContext, user: User, id: string, change: { properties?: JsonObject; priority?: number }): Promise<void> {
  if (change.properties !== undefined) {
    await operate(ctx, user, id, {
      operationName: "UpdateProperties",
      properties: change.properties,
      ...(change.priority === undefined ? {} : { priority: change.priority }),
    });
  } else if (change.priority !== undefined) await setPriority(ctx, user, id, change.priority);
  else throw invalidInput("properties or priority: required");
}

/** A supervisor or admin sets the routing priority of any interaction not ended; a waiting one is routed in its new place. */
async function setPriority(ctx: ActionContext, user: User, id: string, priority: number): Promise<void> {
  mayPrioritize(user);
  readPriority(priority);
  await commit(ctx, async (tx, announce) => {
    const ix = await accessWorkForReading(tx, user, id);
    const next = reprioritize(ix, priority, ctx.now());
    if (!(await tx.agentInteractions.update(next, ix))) throw invalidState(`interaction ${id} changed meanwhile: try again`);
    announce.supervised("queues");
    if (next.state === "Queued") announce.route();
  });
}

/** Only supervisors and admins set priorities: an agent would put their own customers first. */
function mayPrioritize(user: User): void {
  requireRole(user, "ROLE_SUPERVISOR", "ROLE_ADMIN");
}

/** Agents an operation released have been idle since now (routing's "longest idle"). */
export async function markIdle(tx: Store, outcome: Outcome, now: number): Promise<void> {
  for (const notice of outcome.notices) {
    // Told it ended (a conference member, a transferring agent), or its owner who ended it.
    const released = notice.state === "Completed" || notice.state === "LeftConference" || (outcome.completed && notice.agentId === outcome.next.ownerId);
    if (released) await tx.agentChannels.touch(notice.agentId, outcome.next.mediaType, now);
  }
}

const ENTITY_TYPES: Record<Channel, EntityType> = { chat: 2, email: 0, openmedia: 7, sms: 7 };

/**
 * The ended interaction as contact history (seed 002), under the same id; a chat's with its
 * transcript. It is filed under its customer: the one it was linked to, or, for work an
 * administrator submitted (or a chat whose clients are trusted), the profile its email names.
 */
export async function recordHistory(tx: Store, ctx: ActionContext, ix: AgentInteraction, now: number): Promise<void> {
  const content = await chatHistoryContent(tx, ctx, ix);
  const byEmail = ix.mediaType !== "chat" || ctx.chat.trustClientIdentity;
  await tx.history.insert({
    id: ix.id,
    customerId: ix.customerId ?? (byEmail ? await customerByEmail(tx, ix.properties) : null),
    serviceId: null,
    mediaType: ix.mediaType,
    type: "Inbound",
    subType: null,
    status: 3,
    entityType: ENTITY_TYPES[ix.mediaType],
    subject: typeof ix.properties.subject === "string" ? ix.properties.subject : null,
    threadId: null,
    externalId: null,
    ownerId: null,
    creatorAppId: null,
    startDate: ix.createdAt,
    endDate: now,
    establishedDate: null,
    releasedDate: now,
    udata: ix.properties,
    content: content ?? { plainText: null, structuredText: null, structuredTextMime: null, binaryContent: null, binaryContentMime: null },
  });
}

/** Profile attributes an email address is kept under (GMS samples use `EmailAddress`). */
const EMAIL_ATTRIBUTES = ["EmailAddress", "email", "Email"];

/** The one customer whose profile holds the interaction's `email` (or `EmailAddress`), if exactly one does. */
async function customerByEmail(tx: Store, properties: JsonObject): Promise<string | null> {
  const email = properties.email ?? properties.EmailAddress;
  if (typeof email !== "string" || email.length === 0) return null;
  for (const name of EMAIL_ATTRIBUTES) {
    const ids = await tx.customers.identify([{ name, value: email }], 2);
    if (ids.length > 1) return null;
    const [id] = ids;
    if (id !== undefined) return id;
  }
  return null;
}

/** GetWorkbinContent: the agent's interactions parked in that workbin, as one CometD message each. */
async function sendWorkbinContent(ctx: ActionContext, user: User, id: string, workbin: unknown): Promise<void> {
  if (typeof workbin !== "string" || workbin.length === 0 || workbin.length > 256) throw invalidInput("workbin: required (a string)");
  // The id in the URL names an interaction the agent works on, as for every operation.
  await accessWorkForActing(ctx.store, user, id, { lock: false });
  for (const parked of await ctx.store.agentInteractions.inWorkbin(workbin, user.id)) {
    ctx.notifier.deliver("agent", user.id, "/v2/me/interactions", interactionMessage(parked, user.id, "WorkbinContent", ctx.agentApiBase));
  }
}

/**
 * The Chat API v1's use cases (seed 004), customer side: create a chat service, ask an advanced
 * one for its status, open the chat (a `chat` interaction routed like any other), the customer's
 * operations on it, the agent desktop's internal-poke, and the app going to the background.
 * Requests arrive typed and checked (http/chat/requests.ts); each action checks the caps that are
 * settings, then runs one transaction (lock, apply the pure rule of domain/chat.ts, save what
 * changed) and publishes after the commit. The sweeps are in chat-sweeps.ts.
 */
import { accessWorkForReading } from "../access/agent-interactions.ts";
import { accessChatService } from "../access/chat.ts";
import { clientKeys, type ChatClient } from "../access/chat-allowance.ts";
import { checkAttachedData, endByCustomer, type AgentInteraction } from "../domain/agent-interactions.ts";
import { checkBusinessData, checkCustomerFields, customerNickname, MAX_DATA_KEYS, parsePosition, type CustomerField } from "../domain/chat-input.ts";
import {
  addsEntry,
  applyCustomerOperation,
  chatTokens,
  clientMessageKey,
  hasChat,
  hasRoomFor,
  newServiceId,
  openChat,
  type ChatService,
  type CustomerOperation,
  type Device,
  type NewEntry,
  type NotifyBy,
  type OpenChatService,
  type TranscriptEntry,
} from "../domain/chat.ts";
import { invalidInput, invalidState, notFound, rateLimited, unavailable, type AppError } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import type { User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import { chatObject, cometReply, customerPush, refreshTag, statusMessage, type Origin } from "../wire/chat-v1.ts";
import { commit, type Announcements } from "./after-commit.ts";
import { markIdle, newInteraction, recordHistory } from "./agent-interactions.ts";
import { customerKey } from "../domain/last-agent.ts";
import { rememberLastAgent } from "./last-agents.ts";
import { appendEntries, onceMoreIfDuplicate, transcriptLimits, withClientMessageKey } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";
import { queueFullText, waitingWhenFull } from "./queue-capacity.ts";
import { placeNew, queueStanding } from "./routing.ts";

/** Who calls, from where, and through which address (for the `_verbose` fields). */
export interface Caller {
  gmsUser: string | null;
  /** Whether a gms_user_token proved `gmsUser` (GMS_USER_SECRET); per-user limits count only proven users. */
  gmsUserProven: boolean;
  /** The customer profile the caller's gms_user_token vouches for; null: none verified. */
  customerId: string | null;
  /** The client's address (the forwarded one behind TRUST_PROXY): per-address limits count by it. */
  address: string;
  origin: Origin;
}

/** `POST /<service name>`: business data, and the device for native push. */
export interface NewServiceRequest {
  verbose: boolean;
  data: Record<string, string>;
  device: Device | null;
}

/** `ixn/chat`. */
export interface StartChatRequest {
  verbose: boolean;
  notifyBy: NotifyBy;
  /** What the customer names themselves with (each capped at CHAT_MAX_FIELD_CHARS). */
  fields: Partial<Record<CustomerField, string>>;
  /** Every parameter that is not the API's own: attached to the chat's interaction. */
  data: Record<string, string>;
  clientTimeZoneOffset: string;
  /** An opening message: the customer's first transcript entry. */
  message: string | null;
  /** `push_notification_deviceid` and `_type`: the device for push, as `_device_notification_id` and `_device_os` at creation. */
  device: NewServiceRequest["device"];
}

/** `ixn/chat/<operation>`. */
export interface CustomerRequest {
  operation: "refresh" | "send" | "startTyping" | "stopTyping" | "disconnect";
  message: string | null;
  position: number | null;
  verbose: boolean;
  /** send and refresh: the customer's id for their message (a retry with it adds nothing); null: none. */
  clientMessageId: string | null;
}

export interface PokeRequest {
  message: string | null;
}

/** `request-chat`, `request-chat-poll` and configured services: a new service session. */
export async function createChatService(ctx: ActionContext, name: string, caller: Caller, request: NewServiceRequest): Promise<ChatService> {
  const definition = ctx.chat.services.get(name);
  if (definition === undefined) throw notFound(`There is no service ${name}`);
  checkBusinessData(request.data, ctx.chat.data);
  checkDevice(ctx, request.device);
  const client = chatClient(caller);
  ctx.chat.allowance.attemptService(client);
  const now = ctx.now();
  const service: ChatService = {
    id: newServiceId(),
    name,
    kind: definition.kind,
    queue: definition.queue,
    gmsUser: caller.gmsUser,
    clientAddress: caller.address,
    data: request.data,
    device: request.device,
    status: definition.kind === "advanced" ? "waiting" : null,
    createdAt: now,
    // Until its chat opens, a service lives only a short while after its last request.
    expiresAt: now + Math.min(definition.ttlSeconds * 1000, ctx.chat.unusedServiceTtlMs),
    chat: null,
  };
  const refused = await ctx.store.transaction(async (tx) => {
    await tx.chats.lockClients(clientKeys(client));
    const full = await ctx.chat.allowance.servicesFull(tx, client, now);
    if (full === null) await tx.chats.insert(service);
    return full;
  });
  if (refused !== null) throw refused;
  return service;
}

/** The caller as the allowance counts it: its address, and its gms_user if a token proved it. */
function chatClient(caller: Caller): ChatClient {
  return { address: caller.address, provenUser: caller.gmsUserProven ? caller.gmsUser : null };
}

/** A device for push within its caps (a push token is a few hundred characters at most), its fields named as the client sent them. */
function checkDevice(ctx: ActionContext, device: NewServiceRequest["device"], idField = "_device_notification_id", osField = "_device_os"): void {
  if (device === null) return;
  if (device.notificationId.length > ctx.chat.data.maxValueChars) throw invalidInput(`${idField}: at most ${ctx.chat.data.maxValueChars} characters`);
  if (device.os !== null && device.os.length > ctx.chat.maxFieldChars) throw invalidInput(`${osField}: at most ${ctx.chat.maxFieldChars} characters`);
}

/**
 * The advanced service's `status`: `available` once an agent could take the chat and the queue
 * is not full (`maxWaiting`); `waiting` with the estimated wait otherwise. Pushed too.
 */
export async function serviceStatus(ctx: ActionContext, id: string, caller: Caller, request: { verbose: boolean }) {
  const service = await accessChatService(ctx.store, id, caller.gmsUser);
  const standing = service.chat !== null || service.kind === "basic" ? null : await queueStanding(ctx, service.queue, "chat");
  const available = standing === null || (standing.agentAvailable && !standing.full);
  const status = available ? "available" : "waiting";
  const now = ctx.now();
  // A customer still asking keeps an unused service alive (written when half its time is gone, not per poll).
  const keepAlive = service.chat === null && service.expiresAt - now < ctx.chat.unusedServiceTtlMs / 2;
  if ((service.kind === "advanced" && service.chat === null && service.status !== status) || keepAlive) {
    await ctx.store.transaction(async (tx) => {
      const fresh = await tx.chats.get(id, { lock: true });
      if (fresh === null || fresh.chat !== null) return;
      await tx.chats.save({
        ...fresh,
        status: fresh.kind === "advanced" ? status : fresh.status,
        expiresAt: Math.max(fresh.expiresAt, now + Math.min(ttlMs(ctx, fresh), ctx.chat.unusedServiceTtlMs)),
      });
    });
  }
  const reply = statusMessage(service, available, standing?.estimatedWaitSeconds ?? null, request.verbose, ctx.chat.serviceBase);
  if (service.gmsUser !== null) ctx.notifier.deliver("customer", service.gmsUser, "/_genesys", customerPush(reply.tag, reply.message));
  return reply;
}

/** `ixn/chat`: opens the service's one chat and queues it for an agent. */
export async function startChat(ctx: ActionContext, id: string, caller: Caller, request: StartChatRequest): Promise<unknown> {
  checkCustomerFields(request.fields, ctx.chat.maxFieldChars);
  if (request.message !== null && request.message.length > ctx.chat.maxMessageChars)
    throw invalidInput(`message: at most ${ctx.chat.maxMessageChars} characters`);
  checkDevice(ctx, request.device, "push_notification_deviceid", "push_notification_type");
  const known = await accessChatService(ctx.store, id, caller.gmsUser);
  if (known.chat !== null) throw oneChatOnly(id);
  checkBusinessData({ ...known.data, ...request.data }, ctx.chat.data);
  if (known.kind === "advanced" && known.status !== "available" && !(await queueStanding(ctx, known.queue, "chat")).agentAvailable) {
    throw unavailable("service has not notified that an agent is available");
  }
  // A service's business data never changes after it is created: its chat's attached data is known now.
  const properties = chatProperties(ctx, known, request, caller);
  checkAttachedData(properties, ctx.interactionMaxDataBytes);
  const client = chatClient(caller);
  ctx.chat.allowance.attemptChat(client);
  const now = ctx.now();
  const customerId = linkedCustomer(ctx, properties, caller);
  const ix = newInteraction(
    {
      mediaType: "chat",
      queue: known.queue,
      properties,
      customerId: customerId ?? undefined,
      priority: ctx.chat.services.get(known.name)?.priority,
      customerKey: customerKey("chat", { customerId, provenGmsUser: caller.gmsUserProven ? caller.gmsUser : null }),
    },
    now,
  );
  const pool = await ctx.routing.view.candidates("chat");
  const opened = await commit(ctx, async (tx, announce): Promise<{ refused: AppError } | { queueFull: number } | { service: OpenChatService }> => {
    const fresh = await accessChatService(tx, id, caller.gmsUser, { lock: true });
    if (fresh.chat !== null) return { refused: oneChatOnly(id) };
    await tx.chats.lockClients(clientKeys(client));
    const full = await ctx.chat.allowance.chatsFull(tx, client);
    if (full !== null) return { refused: full };
    const queue = await tx.queues.get(ix.queue);
    if (queue === null) return { refused: unavailable(`queue ${ix.queue} of service ${fresh.name} does not exist`) };
    const queueFull = await waitingWhenFull(tx, ctx, ix.queue);
    if (queueFull !== null) return { queueFull };
    await placeNew(ctx, tx, announce, ix, queue, pool);
    announce.measured(null, ix);
    const chat = openChat(
      {
        interactionId: ix.id,
        api: 1,
        notifyBy: request.notifyBy,
        nickname: customerNickname(request.fields),
        clientTimeZoneOffset: request.clientTimeZoneOffset,
        ...chatTokens(),
      },
      now,
    );
    // The open chat counts for the address that opened it, whichever created its service.
    const opening: OpenChatService = {
      ...fresh,
      chat,
      device: request.device ?? fresh.device,
      expiresAt: Math.max(fresh.expiresAt, now + ttlMs(ctx, fresh)),
      clientAddress: caller.address,
    };
    const first: NewEntry[] = request.message === null ? [] : [{ type: "Message.Text", nick: chat.nickname, text: request.message, userType: "CLIENT" }];
    const { service, entries } = await appendEntries(tx, ctx, opening, first);
    if (caller.gmsUser !== null && request.notifyBy === "comet") {
      const pushed = chatObject(service, "TRANSCRIPT", entries, request.verbose, caller.origin);
      announce.deliver("customer", caller.gmsUser, "/_genesys", customerPush(refreshTag(id), pushed));
    }
    return { service };
  });
  if ("refused" in opened) throw opened.refused;
  if ("queueFull" in opened) throw unavailable(await queueFullText(ctx, ix.queue, opened.queueFull));
  const object = chatObject(opened.service, "CONNECTED", null, request.verbose, caller.origin);
  return request.notifyBy === "poll" ? object : cometReply(object);
}

function oneChatOnly(id: string): AppError {
  return invalidState(`service ${id} has its chat already (one chat per service)`);
}

/** What the chat's interaction carries as attached data: the business data and the chat's own fields. */
function chatProperties(ctx: ActionContext, service: ChatService, request: StartChatRequest, caller: Caller): JsonObject {
  const properties: JsonObject = { ...service.data, ...request.data };
  // A verified identity replaces whatever the client said it was.
  if (caller.customerId !== null) properties.customer_id = caller.customerId;
  if (request.fields.firstName) properties.fldnFirstName = request.fields.firstName;
  if (request.fields.lastName) properties.fldnLastName = request.fields.lastName;
  if (request.fields.email) properties.fldnEmailAddress = request.fields.email;
  properties.gms_service_id = service.id;
  properties.gms_service_name = service.name;
  properties.poke_url = `${ctx.chat.serviceBase}/${service.id}/internal-poke`;
  if (Object.keys(properties).length > MAX_DATA_KEYS + 10) throw invalidInput(`at most ${MAX_DATA_KEYS} attached data keys`);
  return properties;
}

/**
 * The profile a chat is linked to (shown to agents as the customer, its history filed under
 * them): the one a verified gms_user_token names, or, with CHAT_TRUST_CLIENT_IDENTITY, the
 * `customer_id` the client gives. Anything else the client says stays data, marked unverified.
 */
function linkedCustomer(ctx: ActionContext, properties: JsonObject, caller: Caller): string | null {
  if (caller.customerId !== null) return caller.customerId;
  const claimed = properties.customer_id;
  return ctx.chat.trustClientIdentity && typeof claimed === "string" && claimed.length > 0 ? claimed : null;
}

function ttlMs(ctx: ActionContext, service: ChatService): number {
  return (ctx.chat.services.get(service.name)?.ttlSeconds ?? 3600) * 1000;
}

/**
 * refresh, send, startTyping, stopTyping, disconnect: the rule is domain/chat.ts
 * `applyCustomerOperation`; here its input is checked, the chat's entry rate taken, and its
 * result stored and published.
 */
export async function chatRequest(ctx: ActionContext, id: string, caller: Caller, request: CustomerRequest): Promise<unknown> {
  const message = request.message ?? "";
  if (message.length > ctx.chat.maxMessageChars) throw invalidInput(`message: at most ${ctx.chat.maxMessageChars} characters`);
  if (request.operation === "send" && message.trim() === "") throw invalidInput("message: required");
  const { service, shown, clientMessage } = await runCustomerOperation(ctx, {
    rateKey: id,
    locate: (tx) => accessChatService(tx, id, caller.gmsUser, { lock: true }),
    operation: (withinRate) => customerOperation(request, withinRate),
    adds: addsEntry(request.operation, message),
    // Poll mode, or a position asked for: what this reply shows, from the position the customer had.
    showFrom: (locked) =>
      (locked.chat.notifyBy === "poll" || request.position !== null) && request.operation !== "disconnect" ? (request.position ?? locked.chat.delivered) : null,
    verbose: request.verbose,
    origin: caller.origin,
    clientMessageId: request.clientMessageId,
  });
  // Named as v1 names positions (strings), only for a client that sent an id: GMS clients see no new key.
  const named = clientMessage === null ? {} : { clientMessageId: clientMessage.id, clientMessagePosition: String(clientMessage.position) };
  if (service.chat.notifyBy === "comet" && shown === null && request.operation !== "disconnect") {
    return { ...cometReply(chatObject(service, "TRANSCRIPT", null, request.verbose, caller.origin)), ...named };
  }
  return { ...chatObject(service, request.operation === "disconnect" ? "DISCONNECTED" : "TRANSCRIPT", shown, request.verbose, caller.origin), ...named };
}

/** What one customer operation on a chat needs, whichever API it came through. */
export interface OperationRun {
  /** The chat's entry rate is counted under this key (its service id). */
  rateKey: string;
  /** Finds and locks the chat's service in `tx` (refusing a caller who may not use it). */
  locate(tx: Store): Promise<ChatService>;
  /** The operation, told whether its entry is within the chat's rate. */
  operation(withinRate: boolean): CustomerOperation;
  /** Whether it would add an entry (what the rate counts). */
  adds: boolean;
  /** The stored position the reply's transcript starts from, or null for none. */
  showFrom(locked: OpenChatService): number | null;
  /** What else the operation writes in its transaction, the chat locked and open (a file's row); it may refuse by throwing. */
  alsoWrite?(tx: Store, locked: OpenChatService): Promise<void>;
  verbose: boolean;
  origin: Origin | null;
  /** The customer's id for the message the operation adds (issue 20): its entry carries it, a retry with it adds nothing. */
  clientMessageId?: string | null;
}

/** What a customer operation did: the chat after it, what its reply shows, and the entry its clientMessageId names. */
export interface OperationResult {
  service: OpenChatService;
  shown: TranscriptEntry[] | null;
  /** The message the request's clientMessageId names (added now, or by the request it retries); null without one. */
  clientMessage: { id: string; position: number } | null;
}

/**
 * One customer operation, for both customer APIs: the chat's entry rate taken (a message past it
 * is refused, a typing notice dropped: clients treat a refused notice as a broken chat), then one
 * transaction: lock, apply the pure rule, store the entries, end the interaction if the customer
 * left, read what the reply shows, and publish after the commit. A message whose clientMessageId
 * the chat has already is a retry: served as a poll, adding nothing, its first entry named again.
 */
export async function runCustomerOperation(ctx: ActionContext, run: OperationRun): Promise<OperationResult> {
  const probe = run.operation(true);
  const typing = probe.name === "startTyping" || probe.name === "stopTyping";
  const wait = run.adds ? ctx.chat.allowance.entry(run.rateKey) : 0;
  if (wait > 0 && !typing) throw rateLimited("too many messages in this chat: slow down", wait);
  const operation = run.operation(wait === 0);
  // A request that fails (another gms_user's, a full or ended chat) gives its entry back.
  const giveBack = () => {
    if (run.adds && wait === 0) ctx.chat.allowance.giveBackEntry(run.rateKey);
  };
  const key = run.clientMessageId == null ? null : clientMessageKey("customer", run.clientMessageId);
  // A retry that raced its original past the lock finds the original's entry the second time.
  const result = await onceMoreIfDuplicate(key !== null, () => commit(ctx, (tx, announce) => operateLocked(tx, announce, ctx, run, operation, key))).catch(
    (err: unknown) => {
      giveBack();
      throw err;
    },
  );
  if ("refused" in result) {
    giveBack();
    throw result.refused;
  }
  // A retry adds nothing: it takes nothing from the chat's entry rate.
  if (result.retried) giveBack();
  const { service, shown, named } = result;
  return { service, shown, clientMessage: run.clientMessageId == null || named === null ? null : { id: run.clientMessageId, position: named.position } };
}

/**
 * The transaction of `runCustomerOperation`: lock, apply the rule (as a poll when the chat has the
 * message `key` names already), store, end, read what the reply shows, announce.
 */
async function operateLocked(tx: Store, announce: Announcements, ctx: ActionContext, run: OperationRun, operation: CustomerOperation, key: string | null) {
  const now = ctx.now();
  const locked = await run.locate(tx);
  if (!hasChat(locked)) return { refused: noChatYet(locked) };
  await run.alsoWrite?.(tx, locked);
  const sent = key === null ? null : await tx.chats.byClientMessage(locked.chat.interactionId, key);
  const step = applyCustomerOperation(locked, sent === null ? operation : { name: "refresh", message: null }, now, {
    transcript: transcriptLimits(ctx),
    customerTimeoutMs: ctx.chat.customerTimeoutMs,
    ttlMs: ttlMs(ctx, locked),
    disconnectedAs400: locked.chat.api === 1 && ctx.chat.services.get(locked.name)?.disconnectedAs400 === true,
  });
  if ("refused" in step) return step;
  const { next } = step;
  const entries = key === null ? step.entries : withClientMessageKey(step.entries, key);
  if (entries.length > 0) await tx.chats.append(next.chat.interactionId, entries);
  // The agents to tell: those on the chat before it ended, or now.
  let interaction = step.ended ? await endInteraction(tx, ctx, next, now, announce) : null;
  if (interaction === null && entries.length > 0) interaction = await tx.agentInteractions.get(next.chat.interactionId);
  const from = run.showFrom(locked);
  const shown = from === null ? null : await tx.chats.transcript(next.chat.interactionId, from, ctx.chat.maxTranscriptEntries);
  if (step.changed) await tx.chats.save(next);
  announce.chat({ service: next, interaction, entries, verbose: run.verbose, joined: [], origin: run.origin });
  return { service: next, shown, named: sent ?? entries.find((e) => e.clientMessageKey === key) ?? null, retried: sent !== null };
}

function customerOperation(request: CustomerRequest, withinRate: boolean): CustomerOperation {
  switch (request.operation) {
    case "startTyping":
    case "stopTyping":
      return { name: request.operation, withinRate };
    case "send":
      return { name: "send", message: request.message ?? "" };
    case "refresh":
      return { name: "refresh", message: request.message };
    case "disconnect":
      return { name: "disconnect" };
  }
}

function noChatYet(service: ChatService): AppError {
  return unavailable(`no chat on service ${service.id} yet: create it with ixn/chat${service.kind === "advanced" ? " once status is available" : ""}`);
}

/**
 * The customer is gone (disconnect, or silent too long; `service.chat` already ended): its
 * interaction completes for every agent on it, and becomes contact history with the transcript.
 * Returns the interaction as it was (whom to tell), null when it had already ended.
 */
export async function endInteraction(
  tx: Store,
  ctx: ActionContext,
  service: OpenChatService,
  now: number,
  announce: Announcements,
): Promise<AgentInteraction | null> {
  const before = await tx.agentInteractions.get(service.chat.interactionId, { lock: true });
  if (before === null) return null;
  const outcome = endByCustomer(before, now);
  if (outcome === null) return null;
  if (!(await tx.agentInteractions.update(outcome.next, before))) {
    throw invalidState(`interaction ${before.id} changed meanwhile: try again`);
  }
  await markIdle(tx, outcome, now);
  await recordHistory(tx, ctx, outcome.next, now);
  await rememberLastAgent(tx, ctx, outcome.next, now);
  announce.outcome(outcome);
  announce.measured(before, outcome.next);
  return before;
}

/** `internal-poke`, from the agent desktop of an agent on the chat: a push to the customer's device. */
export async function poke(ctx: ActionContext, id: string, user: User, request: PokeRequest): Promise<void> {
  if (request.message !== null && request.message.length > 1024) throw invalidInput("poke_message: at most 1024 characters");
  const service = await ctx.store.chats.get(id);
  if (service === null) throw notFound(`There is no service ${id}`);
  if (service.chat === null) throw unavailable(`no chat on service ${id} yet`);
  const ix = await accessWorkForReading(ctx.store, user, service.chat.interactionId).catch(() => {
    throw notFound(`There is no service ${id}`);
  });
  if (ix.state !== "Accepted") throw unavailable(`the chat on service ${id} is not being handled by an agent`);
  const settings = ctx.chat.services.get(service.name)?.push;
  const target = { serviceId: id, gmsUser: service.gmsUser, device: service.device };
  if (settings === undefined || !ctx.push.canReach(settings, target)) throw unavailable(`service ${id} has no device to push to`);
  if (!ctx.push.send(settings, target, { action: "poke", message: request.message ?? settings.pokeMessage })) {
    throw unavailable("too many push notifications waiting: try again shortly", 5000);
  }
}

/**
 * The customer's app went to the background (`/meta/disconnect` with `ext.transcriptPosition`):
 * agents see a notice, and agent messages after that position go out as pushes after the delay.
 */
export async function customerAway(ctx: ActionContext, gmsUser: string, rawPosition: unknown): Promise<void> {
  for (const open of await ctx.store.chats.openChatsOf(gmsUser)) await markAway(ctx, open.id, awayPosition(rawPosition));
}

/** A Chat API v2 app went to the background: the same, for the chats (interaction ids) its client had used. */
export async function chatsAway(ctx: ActionContext, interactionIds: readonly string[], rawPosition: unknown): Promise<void> {
  for (const id of interactionIds) {
    const service = await ctx.store.chats.byInteraction(id);
    if (service !== null) await markAway(ctx, service.id, awayPosition(rawPosition));
  }
}

function awayPosition(raw: unknown): number | null {
  try {
    return parsePosition(raw);
  } catch {
    return null;
  }
}

async function markAway(ctx: ActionContext, serviceId: string, position: number | null): Promise<void> {
  // The customer causes the notice (every handshake and disconnect round makes one): it is
  // within the chat's entry rate and its transcript's caps, or there is none.
  const mayNotice = ctx.chat.allowance.entry(serviceId) === 0;
  const noticed = await commit(ctx, async (tx, announce) => {
    const service = await tx.chats.get(serviceId, { lock: true });
    if (service === null || !hasChat(service) || service.chat.ended || service.chat.awaySince !== null) return false;
    const chat = service.chat;
    const away: NewEntry = { type: "Notice.Custom", nick: chat.nickname, text: "went to the background", userType: "CLIENT" };
    const notice = mayNotice && hasRoomFor(chat, [away], transcriptLimits(ctx));
    const pushedPosition = Math.min(chat.nextPosition, Math.max(chat.pushedPosition, position ?? chat.nextPosition));
    const added = await appendEntries(tx, ctx, { ...service, chat: { ...chat, awaySince: ctx.now(), pushedPosition } }, notice ? [away] : []);
    const interaction = await tx.agentInteractions.get(chat.interactionId);
    announce.chat({ ...added, interaction, verbose: false, joined: [], origin: null });
    return notice;
  });
  if (mayNotice && !noticed) ctx.chat.allowance.giveBackEntry(serviceId);
}

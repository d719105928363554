/**
 * The Chat API v1's use cases (seed 004), customer side: create a chat service, ask an advanced
 * one for its status, open the chat (a `chat` interaction routed like any other), refresh, send,
 * type, disconnect; the agent desktop's internal-poke; the app going to the background; and the
 * sweeps that end silent chats, push to backgrounded apps, tell waiting customers an agent is
 * free, and remove services past their time to live.
 */
import { accessWorkForReading } from "../access/agent-interactions.ts";
import { accessChatService } from "../access/chat.ts";
import { clientKeys, type ChatClient } from "../access/chat-allowance.ts";
import { checkAttachedData, endByCustomer } from "../domain/agent-interactions.ts";
import {
  chatToken,
  checkBusinessData,
  checkCustomerFields,
  customerNickname,
  newServiceId,
  notice,
  parsePosition,
  type ChatService,
  type NewEntry,
  type TranscriptEntry,
} from "../domain/chat.ts";
import { invalidInput, invalidState, notFound, rateLimited, unavailable } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import type { User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import { markIdle, newInteraction, publishOutcome, recordHistory } from "./agent-interactions.ts";
import { chatObject, COMET_ACK, customerPush, refreshTag, statusMessage, type Origin } from "../wire/chat-v1.ts";
import { appendEntries, hasRoomFor, publishChatUpdate, type ChatUpdate } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";
import { queueStanding } from "./routing.ts";

/** Request parameters, lenient-parsed (query, form, multipart, JSON) into strings. */
export type Params = Readonly<Record<string, string>>;

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

/** Business data keys a service keeps at most. */
const MAX_DATA_KEYS = 200;
/** Parameters of ixn/chat that are the API's, not attached data. */
const CHAT_CONTROL = new Set(["_verbose", "notify_by", "transcriptPosition", "message"]);

export type CustomerOperation = "refresh" | "send" | "startTyping" | "stopTyping" | "disconnect";

function verbose(params: Params): boolean {
  return params._verbose === "true";
}

/** `request-chat`, `request-chat-poll` and configured services: a new service session. */
export async function createChatService(ctx: ActionContext, name: string, caller: Caller, params: Params): Promise<ChatService> {
  const definition = ctx.chat.services.get(name);
  if (definition === undefined) throw notFound(`There is no service ${name}`);
  const data: Record<string, string> = {};
  let keys = 0;
  for (const [key, value] of Object.entries(params)) {
    if (key.startsWith("_")) continue;
    if (++keys > MAX_DATA_KEYS) throw invalidInput(`at most ${MAX_DATA_KEYS} business data keys`);
    data[key] = value;
  }
  checkBusinessData(data, ctx.chat.data);
  const device = deviceOf(ctx, params);
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
    data,
    device,
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

/** The device for native push, `_device_notification_id` and `_device_os`, within their caps. */
function deviceOf(ctx: ActionContext, params: Params): ChatService["device"] {
  const id = params._device_notification_id ?? params.device_notification_id;
  if (!id) return null;
  const os = params._device_os ?? params.device_os ?? null;
  // A push token is a few hundred characters at most (FCM's are the longest).
  if (id.length > ctx.chat.data.maxValueChars) throw invalidInput(`_device_notification_id: at most ${ctx.chat.data.maxValueChars} characters`);
  if (os !== null && os.length > ctx.chat.maxFieldChars) throw invalidInput(`_device_os: at most ${ctx.chat.maxFieldChars} characters`);
  return { notificationId: id, os };
}

/** The advanced service's `status`: `available` once an agent could take the chat. Pushed too. */
export async function serviceStatus(ctx: ActionContext, id: string, caller: Caller, params: Params) {
  const service = await accessChatService(ctx.store, id, caller.gmsUser);
  const available = service.chat !== null || service.kind === "basic" || (await queueStanding(ctx, service.queue, "chat")).agentAvailable;
  const status = available ? "available" : "waiting";
  const now = ctx.now();
  // A customer still asking keeps an unused service alive (written when half its time is gone, not per poll).
  const keepAlive = service.chat === null && service.expiresAt - now < ctx.chat.unusedServiceTtlMs / 2;
  if ((service.kind === "advanced" && service.chat === null && service.status !== status) || keepAlive) {
    await ctx.store.transaction(async (tx) => {
      const fresh = await tx.chats.get(id, { lock: true });
      if (fresh === null || fresh.chat !== null) return;
      if (fresh.kind === "advanced") fresh.status = status;
      fresh.expiresAt = Math.max(fresh.expiresAt, now + Math.min(ttlMs(ctx, fresh), ctx.chat.unusedServiceTtlMs));
      await tx.chats.save(fresh);
    });
  }
  const reply = statusMessage(service, available, verbose(params), ctx.chat.serviceBase);
  if (service.gmsUser !== null) ctx.notifier.deliver("customer", service.gmsUser, "/_genesys", customerPush(reply.tag, reply.message));
  return reply;
}

/** `ixn/chat`: opens the service's one chat and queues it for an agent. */
export async function startChat(ctx: ActionContext, id: string, caller: Caller, params: Params): Promise<unknown> {
  const notifyBy = params.notify_by === "comet" ? "comet" : "poll";
  if (params.notify_by !== undefined && params.notify_by !== "comet" && params.notify_by !== "") throw invalidInput("notify_by: only comet");
  if (notifyBy === "comet" && caller.gmsUser === null) throw invalidInput("gms_user: required with notify_by=comet (pushes go to that user's CometD clients)");
  checkCustomerFields(params, ctx.chat.maxFieldChars);
  const known = await accessChatService(ctx.store, id, caller.gmsUser);
  if (known.chat !== null) throw invalidState(`service ${id} has its chat already (one chat per service)`);
  checkBusinessData({ ...known.data, ...chatData(params) }, ctx.chat.data);
  if (known.kind === "advanced" && known.status !== "available" && !(await queueStanding(ctx, known.queue, "chat")).agentAvailable) {
    throw unavailable("service has not notified that an agent is available");
  }
  const client = chatClient(caller);
  ctx.chat.allowance.attemptChat(client);
  const now = ctx.now();
  const opened = await ctx.store.transaction(async (tx) => {
    const fresh = await accessChatService(tx, id, caller.gmsUser, { lock: true });
    if (fresh.chat !== null) throw invalidState(`service ${id} has its chat already (one chat per service)`);
    await tx.chats.lockClients(clientKeys(client));
    const full = await ctx.chat.allowance.chatsFull(tx, client);
    if (full !== null) return { refused: full };
    const properties = chatProperties(ctx, fresh, params, caller);
    checkAttachedData(properties, ctx.interactionMaxDataBytes);
    const ix = newInteraction({ mediaType: "chat", queue: fresh.queue, properties, customerId: linkedCustomer(ctx, properties, caller) ?? undefined }, now);
    if ((await tx.queues.get(ix.queue)) === null) throw unavailable(`queue ${ix.queue} of service ${fresh.name} does not exist`);
    await tx.agentInteractions.insert(ix);
    fresh.chat = {
      interactionId: ix.id,
      notifyBy,
      nickname: customerNickname(params),
      userId: chatToken(),
      secureKey: chatToken().toLowerCase(),
      clientTimeZoneOffset: /^-?\d{1,4}$/.test(params.clientTimeZoneOffset ?? "") ? params.clientTimeZoneOffset! : "0",
      startedAt: now,
      ended: false,
      nextPosition: 1,
      transcriptBytes: 0,
      delivered: 1,
      lastSeenAt: now,
      awaySince: null,
      pushedPosition: 1,
    };
    fresh.expiresAt = Math.max(fresh.expiresAt, now + ttlMs(ctx, fresh));
    // The open chat counts for the address that opened it, whichever created its service.
    fresh.clientAddress = caller.address;
    await tx.chats.save(fresh);
    return { service: fresh };
  });
  if ("refused" in opened) throw opened.refused;
  const service = opened.service;
  ctx.routing.kick();
  const object = chatObject(service, "CONNECTED", null, verbose(params), caller.origin);
  if (notifyBy === "poll") return object;
  const first = chatObject(service, "TRANSCRIPT", [], verbose(params), caller.origin);
  ctx.notifier.deliver("customer", caller.gmsUser!, "/_genesys", customerPush(refreshTag(id), first));
  return COMET_ACK;
}

/** The parameters of `ixn/chat` that become attached data: everything but the API's own. */
function chatData(params: Params): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!CHAT_CONTROL.has(key) && !key.startsWith("_")) data[key] = value;
  }
  return data;
}

/** What the chat's interaction carries as attached data: the business data and the chat's own fields. */
function chatProperties(ctx: ActionContext, service: ChatService, params: Params, caller: Caller): JsonObject {
  const properties: JsonObject = { ...service.data, ...chatData(params) };
  // A verified identity replaces whatever the client said it was.
  if (caller.customerId !== null) properties.customer_id = caller.customerId;
  if (params.firstName) properties.fldnFirstName = params.firstName;
  if (params.lastName) properties.fldnLastName = params.lastName;
  if (params.email) properties.fldnEmailAddress = params.email;
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

/** refresh, send, startTyping, stopTyping, disconnect: one transaction each, then pushes. */
export async function chatRequest(ctx: ActionContext, id: string, caller: Caller, op: CustomerOperation, params: Params): Promise<unknown> {
  const position = parsePosition(params.transcriptPosition);
  const message = params.message ?? "";
  if (message.length > ctx.chat.maxMessageChars) throw invalidInput(`message: at most ${ctx.chat.maxMessageChars} characters`);
  if (op === "send" && message.trim() === "") throw invalidInput("message: required");
  // What the customer adds to the transcript has a rate per chat: a message past it is refused,
  // a typing notice past it is dropped (clients treat a refused notice as a broken chat).
  const adds = op === "startTyping" || op === "stopTyping" || (op !== "disconnect" && message.trim() !== "");
  const wait = adds ? ctx.chat.allowance.entry(id) : 0;
  if (wait > 0 && (op === "send" || op === "refresh")) throw rateLimited("too many messages in this chat: slow down", wait);
  const withinRate = wait === 0;
  const now = ctx.now();
  // A request that fails (another gms_user's, a full or ended chat) gives its entry back.
  const giveBack = (err: unknown): never => {
    if (adds && withinRate) ctx.chat.allowance.giveBackEntry(id);
    throw err;
  };
  const result = await ctx.store
    .transaction(async (tx) => {
      const service = await accessChatService(tx, id, caller.gmsUser, { lock: true });
      const chat = service.chat;
      if (chat === null)
        throw unavailable(`no chat on service ${id} yet: create it with ixn/chat${service.kind === "advanced" ? " once status is available" : ""}`);
      const entries: NewEntry[] = [];
      if (chat.ended) {
        if (op !== "refresh" && op !== "disconnect") throw invalidState(`${op}: the chat on service ${id} has ended`);
      } else if (op === "disconnect") {
        entries.push(notice("Notice.Left", chat.nickname, "CLIENT"));
      } else if (op === "startTyping") {
        if (withinRate) entries.push(notice("Notice.TypingStarted", chat.nickname, "CLIENT"));
      } else if (op === "stopTyping") {
        if (withinRate) entries.push(notice("Notice.TypingStopped", chat.nickname, "CLIENT"));
      } else if (message.trim() !== "") {
        entries.push({ type: "Message.Text", nick: chat.nickname, text: message, userType: "CLIENT" });
      }
      const before = { delivered: chat.delivered, ended: chat.ended, awaySince: chat.awaySince, lastSeenAt: chat.lastSeenAt };
      const appended = entries.length > 0 ? await appendEntries(tx, ctx, service, entries, { enforceLimit: op !== "disconnect", save: false }) : [];
      const ending = op === "disconnect" && !before.ended ? await endChat(tx, ctx, service, now) : null;
      // Poll mode: what this reply shows, and from where the next one goes on.
      const wantsTranscript = chat.notifyBy === "poll" || position !== null;
      const shown =
        wantsTranscript && op !== "disconnect"
          ? await tx.chats.transcript(chat.interactionId, position ?? chat.delivered, ctx.chat.maxTranscriptEntries)
          : null;
      if (chat.notifyBy === "poll") chat.delivered = chat.nextPosition;
      chat.awaySince = null;
      // Presence is written at most every quarter timeout: polling does not mean a write per request.
      if (appended.length > 0 || now - chat.lastSeenAt > ctx.chat.customerTimeoutMs / 4) chat.lastSeenAt = now;
      service.expiresAt = Math.max(service.expiresAt, now + ttlMs(ctx, service));
      const changed =
        appended.length > 0 ||
        ending !== null ||
        chat.delivered !== before.delivered ||
        chat.awaySince !== before.awaySince ||
        chat.lastSeenAt !== before.lastSeenAt;
      if (changed) await tx.chats.save(service);
      // The agents to tell: those on the chat before it ended, or now.
      const interaction = ending?.before ?? (appended.length > 0 ? await tx.agentInteractions.get(chat.interactionId) : null);
      return { service, appended, shown, ending, interaction };
    })
    .catch(giveBack);
  const { service, appended, shown, ending, interaction } = result;
  const chat = service.chat!;
  if (ending !== null) publishOutcome(ctx, ending.outcome);
  publishChatUpdate(ctx, { service, interaction, entries: appended, verbose: verbose(params), joined: [], origin: caller.origin });
  const state = op === "disconnect" ? "DISCONNECTED" : "TRANSCRIPT";
  if (chat.notifyBy === "comet" && shown === null && op !== "disconnect") return COMET_ACK;
  return chatObject(service, state, shown, verbose(params), caller.origin);
}

/**
 * The customer is gone (disconnect, or silent too long): the chat ends and its interaction
 * completes for every agent on it, and becomes contact history with the transcript. The caller
 * saves the service (once, with its other changes).
 */
async function endChat(tx: Store, ctx: ActionContext, service: ChatService, now: number) {
  const chat = service.chat!;
  chat.ended = true;
  const before = await tx.agentInteractions.get(chat.interactionId, { lock: true });
  if (before === null) return null;
  const outcome = endByCustomer(before, now);
  if (outcome === null) return null;
  if (!(await tx.agentInteractions.update(outcome.next, { updatedAt: before.updatedAt, state: before.state }))) {
    throw invalidState(`interaction ${before.id} changed meanwhile: try again`);
  }
  await markIdle(tx, outcome, now);
  await recordHistory(tx, ctx, outcome.next, now);
  return { before, outcome };
}

/** `internal-poke`, from the agent desktop of an agent on the chat: a push to the customer's device. */
export async function poke(ctx: ActionContext, id: string, user: User, params: Params): Promise<void> {
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
  const message = params.poke_message?.trim() || settings.pokeMessage;
  if (message.length > 1024) throw invalidInput("poke_message: at most 1024 characters");
  if (!ctx.push.send(settings, target, { action: "poke", message })) throw unavailable("too many push notifications waiting: try again shortly", 5000);
}

/**
 * The customer's app went to the background (`/meta/disconnect` with `ext.transcriptPosition`):
 * agents see a notice, and agent messages after that position go out as pushes after the delay.
 */
export async function customerAway(ctx: ActionContext, gmsUser: string, rawPosition: unknown): Promise<void> {
  let position: number | null;
  try {
    position = parsePosition(rawPosition);
  } catch {
    position = null;
  }
  const updates: ChatUpdate[] = [];
  for (const open of await ctx.store.chats.openChatsOf(gmsUser)) {
    // The customer causes the notice (every handshake and disconnect round makes one): it is
    // within the chat's entry rate and its transcript's caps, or there is none.
    const mayNotice = ctx.chat.allowance.entry(open.id) === 0;
    const update = await ctx.store.transaction(async (tx) => {
      const service = await tx.chats.get(open.id, { lock: true });
      const chat = service?.chat;
      if (service == null || chat == null || chat.ended || chat.awaySince !== null) return null;
      chat.awaySince = ctx.now();
      chat.pushedPosition = Math.min(chat.nextPosition, Math.max(chat.pushedPosition, position ?? chat.nextPosition));
      const away: NewEntry = { type: "Notice.Custom", nick: chat.nickname, text: "went to the background", userType: "CLIENT" };
      const entries = mayNotice && hasRoomFor(ctx, chat, [away]) ? await appendEntries(tx, ctx, service, [away], { enforceLimit: false, save: false }) : [];
      await tx.chats.save(service);
      return { service, entries };
    });
    if (mayNotice && (update?.entries.length ?? 0) === 0) ctx.chat.allowance.giveBackEntry(open.id);
    if (update === null) continue;
    const ix = await ctx.store.agentInteractions.get(update.service.chat!.interactionId);
    updates.push({ ...update, interaction: ix, verbose: false, joined: [], origin: null });
  }
  for (const update of updates) publishChatUpdate(ctx, update);
}

// ----- sweeps (workers/housekeeping.ts runs them) -----

/** Keeps chats of customers with a live CometD client seen; ends those silent past the timeout. */
export async function endSilentChats(ctx: ActionContext, present: (gmsUser: string) => boolean): Promise<number> {
  const now = ctx.now();
  const timeout = ctx.chat.customerTimeoutMs;
  const quiet = await ctx.store.chats.silent(now - timeout / 3, 500);
  const here = [...new Set(quiet.map((s) => s.gmsUser).filter((u): u is string => u !== null && present(u)))];
  if (here.length > 0) await ctx.store.transaction((tx) => tx.chats.seen(here, now));
  let ended = 0;
  for (const silent of await ctx.store.chats.silent(now - timeout, 100)) {
    const done = await ctx.store.transaction(async (tx) => {
      const service = await tx.chats.get(silent.id, { lock: true });
      const chat = service?.chat;
      if (service == null || chat == null || chat.ended || chat.lastSeenAt >= now - timeout) return null;
      const entries = await appendEntries(
        tx,
        ctx,
        service,
        [{ type: "Notice.Left", nick: chat.nickname, text: "left the session (no answer)", userType: "CLIENT" }],
        { enforceLimit: false, save: false },
      );
      const ending = await endChat(tx, ctx, service, now);
      await tx.chats.save(service);
      return { service, entries, ending };
    });
    if (done === null) continue;
    ended++;
    if (done.ending !== null) publishOutcome(ctx, done.ending.outcome);
    publishChatUpdate(ctx, {
      service: done.service,
      interaction: done.ending?.before ?? null,
      entries: done.entries,
      verbose: false,
      joined: [],
      origin: null,
    });
  }
  return ended;
}

/** Agent messages a backgrounded app has not seen, past the service's delay, as push notifications. */
export async function sendBackgroundPushes(ctx: ActionContext): Promise<number> {
  const now = ctx.now();
  const delays = [...ctx.chat.services.values()].map((s) => s.push.backgroundDelayMs);
  let sent = 0;
  for (const away of await ctx.store.chats.awayDue(now - Math.min(...delays), 100)) {
    const settings = ctx.chat.services.get(away.name)?.push;
    if (settings === undefined || away.chat?.awaySince == null || away.chat.awaySince > now - settings.backgroundDelayMs) continue;
    const due = await ctx.store.transaction(async (tx) => {
      const service = await tx.chats.get(away.id, { lock: true });
      const chat = service?.chat;
      if (service == null || chat == null || chat.awaySince === null || chat.pushedPosition >= chat.nextPosition) return null;
      const entries = await tx.chats.transcript(chat.interactionId, chat.pushedPosition, 100);
      chat.pushedPosition = chat.nextPosition;
      await tx.chats.save(service);
      return { service, entries: entries.filter((e) => e.userType === "AGENT" && e.type === "Message.Text") };
    });
    if (due === null || due.entries.length === 0) continue;
    const target = { serviceId: due.service.id, gmsUser: due.service.gmsUser, device: due.service.device };
    if (!ctx.push.canReach(settings, target)) continue;
    // A push dropped because too many wait is not retried: see push/push.ts.
    if (ctx.push.send(settings, target, { action: "chat", message: due.entries.at(-1)!.text, lastTranscript: due.entries.map(asPushEntry) })) sent++;
  }
  return sent;
}

function asPushEntry(e: TranscriptEntry): Record<string, string> {
  return { [e.type]: e.text };
}

/** Tells customers waiting on an advanced service that an agent became available (or not). */
export async function announceAvailability(ctx: ActionContext): Promise<number> {
  const waiting = await ctx.store.chats.waiting(500);
  const byQueue = new Map<string, boolean>();
  let told = 0;
  for (const service of waiting) {
    let available = byQueue.get(service.queue);
    if (available === undefined) {
      available = (await queueStanding(ctx, service.queue, "chat")).agentAvailable;
      byQueue.set(service.queue, available);
    }
    if (!available) continue;
    const origin = { base: ctx.chat.serviceBase, host: "", port: "", tls: false };
    await serviceStatus(
      ctx,
      service.id,
      { gmsUser: service.gmsUser, gmsUserProven: false, customerId: null, address: service.clientAddress ?? "", origin },
      {},
    );
    told++;
  }
  return told;
}

/** Removes services past their time to live (an open chat keeps its service). */
export async function removeExpiredChatServices(ctx: ActionContext): Promise<number> {
  const ids = await ctx.store.chats.expired(ctx.now(), 500);
  for (const id of ids) await ctx.store.transaction((tx) => tx.chats.delete(id));
  return ids.length;
}

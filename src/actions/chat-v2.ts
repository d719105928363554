/**
 * The Chat API v2's use cases, customer side (spec reference/chat-v2.md §3, §6): requestChat
 * opens a chat exactly as v1's `ixn/chat` does (a `chat` interaction routed to agents, the same
 * limits), and every other operation runs through the same customer operation as v1
 * (`runCustomerOperation` in chat.ts). Only the ids and the envelope are v2's: a v2 chat has no
 * service session of its own for the customer to see, its secureKey is its capability, and its
 * answers are the v2 envelope (wire/chat-v2.ts). Files are in chat-files.ts.
 */
import { accessChatV2, type ChatV2Key } from "../access/chat.ts";
import { clientKeys, type ChatClient } from "../access/chat-allowance.ts";
import { checkAttachedData, customerUpdatesData } from "../domain/agent-interactions.ts";
import { checkBusinessData, MAX_DATA_KEYS, pushableUrl } from "../domain/chat-input.ts";
import {
  hasChat,
  newServiceId,
  openChat,
  type ChatService,
  type CustomerOperation,
  type NewEntry,
  type NotifyBy,
  type OpenChatService,
  type TranscriptEntry,
} from "../domain/chat.ts";
import { indexOf, isEmailAddress, readingFrom, v2Nickname, v2Tokens } from "../domain/chat-v2.ts";
import { AppError, invalidState, rateLimited } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import type { Store } from "../store/store.ts";
import { chatEnvelope, customerJoined, errorEnvelope, v2Event, type Envelope, type V2Event } from "../wire/chat-v2.ts";
import { placeNew } from "./routing.ts";
import { commit } from "./after-commit.ts";
import { newInteraction } from "./agent-interactions.ts";
import { runCustomerOperation } from "./chat.ts";
import { appendEntries } from "./chat-transcript.ts";
import { queueFullText, waitingWhenFull } from "./queue-capacity.ts";
import type { ActionContext } from "./context.ts";

/** Who asks: the address its rates and counts are kept by (v2 customers prove no identity). */
export interface V2Caller {
  address: string;
}

/** requestChat's fields (spec §3.3), empty ones already dropped. */
export interface V2ChatRequest {
  nickname: string | null;
  firstName: string | null;
  lastName: string | null;
  emailAddress: string | null;
  subject: string | null;
  /** An opening message: the customer's first `Message`. */
  text: string | null;
  userData: Record<string, string>;
}

/** Every operation on an open chat, as both flavours name them (`send` is CometD's `sendMessage`). */
export type V2Operation =
  | { name: "refresh" | "readReceipt" | "startTyping" | "stopTyping" | "disconnect" }
  | { name: "requestNotifications"; userData: Record<string, string> }
  /** `clientMessageId`: the customer's id for the message (a parley extension; a retry with it adds nothing). */
  | { name: "send"; message: string; clientMessageId: string | null }
  | { name: "pushUrl"; url: string }
  | { name: "customNotice"; message: string }
  | { name: "updateNickname"; nickname: string }
  | { name: "updateData"; userData: Record<string, string> };

export const V2_OPERATIONS = [
  "refresh",
  "readReceipt",
  "startTyping",
  "stopTyping",
  "disconnect",
  "requestNotifications",
  "send",
  "pushUrl",
  "customNotice",
  "updateNickname",
  "updateData",
] as const satisfies readonly V2Operation["name"][];

function refusal(code: "invalid_input" | "unavailable", apiCode: number, message: string): AppError {
  return new AppError(code, message, { apiCode });
}

/** The request's fields within their caps, and the customer's nickname (161 when there is none). */
function checkRequest(ctx: ActionContext, request: V2ChatRequest): string {
  const max = ctx.chat.maxFieldChars;
  for (const [name, value] of Object.entries({
    nickname: request.nickname,
    firstName: request.firstName,
    lastName: request.lastName,
    emailAddress: request.emailAddress,
    subject: request.subject,
  })) {
    if (value !== null && value.length > max) throw refusal("invalid_input", 400, `${name}: at most ${max} characters`);
  }
  const nickname = v2Nickname({ nickname: request.nickname ?? undefined, firstName: request.firstName ?? undefined, lastName: request.lastName ?? undefined });
  if (nickname === null) throw refusal("invalid_input", 161, "nickname, or firstName and lastName: required");
  if (request.emailAddress !== null && !isEmailAddress(request.emailAddress)) throw refusal("invalid_input", 364, "emailAddress: not an email address");
  if (request.text !== null && request.text.length > ctx.chat.maxMessageChars)
    throw refusal("invalid_input", 204, `text: at most ${ctx.chat.maxMessageChars} characters`);
  checkBusinessData(request.userData, ctx.chat.data);
  if (Object.keys(request.userData).length > MAX_DATA_KEYS) throw refusal("invalid_input", 400, `userData: at most ${MAX_DATA_KEYS} keys`);
  return nickname;
}

/**
 * What the chat's interaction carries: the customer's userData, their form fields as they came
 * (named as v1's `ixn/chat` attaches them where both have one, so agents and reports see the same
 * keys: `firstName`, `lastName`, `subject`, and `fldn*` copies), the nickname the chat shows
 * (desktops name the customer from it), and where the chat came from.
 */
function chatProperties(serviceName: string, nickname: string, request: V2ChatRequest): JsonObject {
  const properties: JsonObject = { ...request.userData, nickname };
  if (request.firstName !== null) properties.firstName = properties.fldnFirstName = request.firstName;
  if (request.lastName !== null) properties.lastName = properties.fldnLastName = request.lastName;
  if (request.emailAddress !== null) properties.emailAddress = properties.fldnEmailAddress = request.emailAddress;
  if (request.subject !== null) properties.subject = request.subject;
  // Not its service id: nothing a v2 customer does needs it, and whoever holds it must not reach the chat.
  properties.gms_service_name = serviceName;
  return properties;
}

/**
 * requestChat: a chat on `serviceName` (any configured chat service; unknown: 240), opened and
 * queued in one transaction within the address's rates and counts. The reply shows the
 * transcript from index 1: the customer's join, and their opening message if any.
 */
export async function requestChatV2(ctx: ActionContext, serviceName: string, caller: V2Caller, request: V2ChatRequest, notifyBy: NotifyBy): Promise<Envelope> {
  const definition = ctx.chat.services.get(serviceName);
  if (definition === undefined) throw refusal("invalid_input", 240, `there is no chat service ${serviceName.slice(0, 64)}`);
  const nickname = checkRequest(ctx, request);
  const client: ChatClient = { address: caller.address, provenUser: null };
  ctx.chat.allowance.attemptChat(client);
  const now = ctx.now();
  const id = newServiceId();
  const properties = chatProperties(serviceName, nickname, request);
  checkAttachedData(properties, ctx.interactionMaxDataBytes);
  const ix = newInteraction({ mediaType: "chat", queue: definition.queue, properties, priority: definition.priority }, now);
  const service: ChatService = {
    id,
    name: serviceName,
    kind: "basic",
    queue: definition.queue,
    gmsUser: null,
    clientAddress: caller.address,
    data: {},
    device: null,
    status: null,
    createdAt: now,
    expiresAt: now + definition.ttlSeconds * 1000,
    chat: null,
  };
  const pool = await ctx.routing.view.candidates("chat");
  const opened = await commit(
    ctx,
    async (tx, announce): Promise<{ refused: AppError } | { queueFull: number } | { service: OpenChatService; entries: TranscriptEntry[] }> => {
      await tx.chats.lockClients(clientKeys(client));
      const full = (await ctx.chat.allowance.servicesFull(tx, client, now)) ?? (await ctx.chat.allowance.chatsFull(tx, client));
      if (full !== null) return { refused: full };
      const queue = await tx.queues.get(ix.queue);
      if (queue === null) return { refused: refusal("unavailable", 240, `chat service ${serviceName} cannot take chats now`) };
      const queueFull = await waitingWhenFull(tx, ctx, ix.queue);
      if (queueFull !== null) return { queueFull };
      await placeNew(ctx, tx, announce, ix, queue, pool);
      announce.measured(null, ix);
      const chat = openChat({ interactionId: ix.id, api: 2, notifyBy, nickname, clientTimeZoneOffset: request.userData.TimeZone ?? "0", ...v2Tokens() }, now);
      const opening: OpenChatService = { ...service, chat };
      await tx.chats.insert(opening);
      const first: NewEntry[] = request.text === null ? [] : [{ type: "Message.Text", nick: nickname, text: request.text, userType: "CLIENT" }];
      const added = await appendEntries(tx, ctx, opening, first);
      return added;
    },
  );
  if ("refused" in opened) throw opened.refused;
  // Widgets shows a 240's text on its form (spec chat-v2: capacity is one of its causes).
  if ("queueFull" in opened) throw refusal("unavailable", 240, await queueFullText(ctx, ix.queue, opened.queueFull));
  return chatEnvelope(opened.service, [customerJoined(opened.service, nickname), ...opened.entries.map(v2Event)]);
}

/** The events a reply shows for `position` (null: none), from what the operation read. */
function shownEvents(service: OpenChatService, position: number | null, shown: readonly TranscriptEntry[] | null): V2Event[] {
  const events = (shown ?? []).map(v2Event);
  if (position === null) return events;
  const reading = readingFrom(position);
  if ("newest" in reading) return events.length > 0 ? events.slice(-1) : [customerJoined(service, service.chat.nickname)];
  return reading.join ? [customerJoined(service, service.chat.nickname), ...events] : events;
}

/** The stored position a reply's transcript starts from: the asked index, or for a refresh without one, what the customer has not been given. */
function storedFrom(locked: OpenChatService, op: V2Operation, position: number | null): number | null {
  if (position === null) return op.name === "refresh" ? locked.chat.delivered : null;
  const reading = readingFrom(position);
  return "newest" in reading ? Math.max(1, locked.chat.nextPosition - 1) : reading.from;
}

/** The operation as the chat engine runs it; a message in refresh is a typing preview, never a message (spec §3.3). */
function engineOperation(ctx: ActionContext, op: V2Operation, withinRate: boolean): CustomerOperation {
  switch (op.name) {
    case "refresh":
    case "readReceipt":
    case "requestNotifications":
    case "updateData":
      return { name: "refresh", message: null };
    case "startTyping":
    case "stopTyping":
      return { name: op.name, withinRate };
    case "disconnect":
      return { name: "disconnect" };
    case "send":
      return { name: "send", message: op.message };
    case "pushUrl":
      return { name: "pushUrl", url: op.url };
    case "customNotice":
      return { name: "customNotice", message: op.message };
    case "updateNickname":
      return { name: "updateNickname", nickname: op.nickname.slice(0, ctx.chat.maxFieldChars) };
  }
}

/** Refuses what an operation carries past its caps (204: message too long), before anything is taken or stored. */
function checkOperation(ctx: ActionContext, op: V2Operation): void {
  const max = ctx.chat.maxMessageChars;
  if ((op.name === "send" || op.name === "customNotice") && op.message.length > max) throw refusal("invalid_input", 204, `message: at most ${max} characters`);
  if (op.name === "send" && op.message.trim() === "") throw refusal("invalid_input", 400, "message: required");
  if (op.name === "pushUrl") pushableUrl(op.url, "pushUrl");
  if (op.name === "updateNickname" && (op.nickname.trim() === "" || op.nickname.length > ctx.chat.maxFieldChars)) {
    throw refusal("invalid_input", 400, `nickname: 1 to ${ctx.chat.maxFieldChars} characters`);
  }
  if (op.name === "updateData" || op.name === "requestNotifications") checkBusinessData(op.userData, ctx.chat.data);
}

/** Whether the operation adds an entry (what the chat's entry rate counts). */
function addsEntry(op: V2Operation): boolean {
  switch (op.name) {
    case "send":
    case "startTyping":
    case "stopTyping":
    case "pushUrl":
    case "updateNickname":
      return true;
    case "customNotice":
      return op.message.trim() !== "";
    default:
      return false;
  }
}

/**
 * Any operation on an open chat, the caller holding its secureKey: run as v1 runs its own, the
 * reply showing the transcript from `position` (index, spec §2.4) when one is given.
 * `onLocated` learns the chat before anything is published (a CometD client joins its pushes).
 */
export async function chatV2Operation(
  ctx: ActionContext,
  key: ChatV2Key,
  op: V2Operation,
  position: number | null,
  onLocated?: (service: OpenChatService) => void,
): Promise<Envelope> {
  checkOperation(ctx, op);
  // requestNotifications without a position asks for everything (spec §6.2).
  const asked = position ?? (op.name === "requestNotifications" ? 1 : null);
  const adds = addsEntry(op);
  const attaching = op.name === "updateData" || (op.name === "requestNotifications" && Object.keys(op.userData).length > 0);
  // The chat is read ahead only when something needs it before the operation's transaction (its
  // rate, a client to join to it): a REST poll, the hottest request, reads it once, locked.
  const known = adds || attaching || onLocated !== undefined ? await accessChatV2(ctx.store, key) : null;
  if (known !== null) onLocated?.(known);
  // Adding to an ended chat is refused as the v2 status table has it: statusCode 2 with chatEnded
  // true, the one answer that ends the chat in a client that missed its end.
  if (known?.chat.ended === true && adds) return { ...errorEnvelope({ code: 400, message: "the chat has ended" }, { service: known }), chatEnded: true };
  if (known !== null && attaching) await attachData(ctx, known, key, op.userData);
  const { service, shown, clientMessage } = await runCustomerOperation(ctx, {
    // Counted only when it adds an entry, and then the chat was read ahead.
    rateKey: known?.id ?? "",
    locate: (tx) => accessChatV2(tx, key, { lock: true }),
    operation: (withinRate) => engineOperation(ctx, op, withinRate),
    adds,
    showFrom: (locked) => storedFrom(locked, op, asked),
    verbose: false,
    origin: null,
    clientMessageId: op.name === "send" ? op.clientMessageId : null,
  });
  const envelope = chatEnvelope(service, shownEvents(service, asked, shown));
  // Only for a client that sent an id: the envelope other clients decode stays as it was.
  return clientMessage === null ? envelope : { ...envelope, clientMessageId: clientMessage.id, clientMessageIndex: indexOf(clientMessage.position) };
}

/** Attached data the server sets itself, which a customer's updateData may not change. */
const RESERVED_KEYS = new Set([
  "nickname",
  "firstName",
  "lastName",
  "emailAddress",
  "subject",
  "fldnFirstName",
  "fldnLastName",
  "fldnEmailAddress",
  "gms_service_id",
  "gms_service_name",
  "customer_id",
]);

/**
 * updateData: the customer's data merged into the chat's attached data; its agents are told.
 * Within the chat's entry rate (each one may be a write and a notice to every agent on it); a
 * patch that changes nothing writes and tells nothing; nothing once the chat has ended.
 */
async function attachData(ctx: ActionContext, known: OpenChatService, key: ChatV2Key, userData: Record<string, string>): Promise<void> {
  if (Object.keys(userData).length > MAX_DATA_KEYS) throw refusal("invalid_input", 400, `userData: at most ${MAX_DATA_KEYS} keys`);
  const reserved = Object.keys(userData).find((k) => RESERVED_KEYS.has(k));
  if (reserved !== undefined) throw refusal("invalid_input", 400, `userData: ${reserved} is set by the server`);
  const wait = ctx.chat.allowance.entry(known.id);
  if (wait > 0) throw rateLimited("too many messages in this chat: slow down", wait);
  await commit(ctx, async (tx: Store, announce) => {
    const service = await accessChatV2(tx, key, { lock: true });
    if (!hasChat(service) || service.chat.ended) return;
    const ix = await tx.agentInteractions.get(service.chat.interactionId, { lock: true });
    if (ix === null || Object.entries(userData).every(([k, v]) => ix.properties[k] === v)) return;
    const result = customerUpdatesData(ix, userData, ctx.now());
    if (result === null) return;
    checkAttachedData(result.next.properties, ctx.interactionMaxDataBytes);
    if (!(await tx.agentInteractions.update(result.next, ix))) {
      throw invalidState("the chat changed meanwhile: try again");
    }
    announce.outcome(result);
  }).catch((err: unknown) => {
    ctx.chat.allowance.giveBackEntry(known.id);
    throw err;
  });
}

/**
 * The Chat API's requests, typed: built from a route's lenient parameters (params.ts) before any
 * action runs, with what needs no setting checked here (notify_by, transcript positions, the
 * time-zone offset's form, how many data keys). Caps that are settings (CHAT_MAX_FIELD_CHARS,
 * CHAT_MAX_DATA_BYTES, ...) are checked by the action, still before its transaction.
 */
import type { CustomerRequest, NewServiceRequest, PokeRequest, StartChatRequest } from "../../actions/chat.ts";
import { CUSTOMER_FIELDS, isTrue, MAX_DATA_KEYS, parseClientMessageId, parsePosition, type CustomerField } from "../../domain/chat-input.ts";
import { invalidInput } from "../../domain/errors.ts";

/** Request parameters, lenient-parsed (query, form, multipart, JSON) into strings. */
type Params = Readonly<Record<string, string>>;

/** Parameters of ixn/chat that are the API's, not attached data. */
const CHAT_CONTROL = new Set(["_verbose", "notify_by", "transcriptPosition", "message"]);
/** `clientTimeZoneOffset` in minutes, as clients send it; anything else is taken as 0. */
const TIME_ZONE_OFFSET = /^-?\d{1,4}$/;

const CUSTOMER_OPERATIONS: ReadonlySet<string> = new Set<CustomerRequest["operation"]>(["refresh", "send", "startTyping", "stopTyping", "disconnect"]);

/** Whether a path segment names a customer operation on a chat. */
export function isCustomerOperation(name: string): name is CustomerRequest["operation"] {
  return CUSTOMER_OPERATIONS.has(name);
}

function verbose(params: Params): boolean {
  return isTrue(params._verbose);
}

/** `POST /<service name>`: everything not starting with `_` is business data. */
export function newServiceRequest(params: Params): NewServiceRequest {
  const data: Record<string, string> = {};
  let keys = 0;
  for (const [key, value] of Object.entries(params)) {
    if (key.startsWith("_")) continue;
    if (++keys > MAX_DATA_KEYS) throw invalidInput(`at most ${MAX_DATA_KEYS} business data keys`);
    data[key] = value;
  }
  const id = params._device_notification_id ?? params.device_notification_id;
  const device = id ? { notificationId: id, os: params._device_os ?? params.device_os ?? null } : null;
  return { verbose: verbose(params), data, device };
}

/** `ixn/chat`: how the customer is told (poll or CometD), who they say they are, and what they attach. */
export function startChatRequest(params: Params, gmsUser: string | null): StartChatRequest {
  if (params.notify_by !== undefined && params.notify_by !== "comet" && params.notify_by !== "") throw invalidInput("notify_by: only comet");
  const notifyBy = params.notify_by === "comet" ? "comet" : "poll";
  if (notifyBy === "comet" && gmsUser === null) throw invalidInput("gms_user: required with notify_by=comet (pushes go to that user's CometD clients)");
  const fields: Partial<Record<CustomerField, string>> = {};
  for (const name of CUSTOMER_FIELDS) if (params[name] !== undefined) fields[name] = params[name];
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!CHAT_CONTROL.has(key) && !key.startsWith("_")) data[key] = value;
  }
  const offset = params.clientTimeZoneOffset ?? "";
  // Genesys's sample apps register the device for push here rather than at creation.
  const deviceId = params.push_notification_deviceid;
  return {
    verbose: verbose(params),
    notifyBy,
    fields,
    data,
    clientTimeZoneOffset: TIME_ZONE_OFFSET.test(offset) ? offset : "0",
    message: params.message?.trim() ? params.message : null,
    device: deviceId ? { notificationId: deviceId, os: params.push_notification_type ?? null } : null,
  };
}

/** `ixn/chat/<operation>` (the route checked `operation`). */
export function customerRequest(operation: CustomerRequest["operation"], params: Params): CustomerRequest {
  // Only the operations that can carry a message take an id for it (a parley extension).
  const clientMessageId = operation === "send" || operation === "refresh" ? parseClientMessageId(params.clientMessageId) : null;
  return { operation, message: params.message ?? null, position: parsePosition(params.transcriptPosition), verbose: verbose(params), clientMessageId };
}

export function statusRequest(params: Params): { verbose: boolean } {
  return { verbose: verbose(params) };
}

/** `internal-poke`: the text of the push, if the desktop gives one. */
export function pokeRequest(params: Params): PokeRequest {
  return { message: params.poke_message?.trim() || null };
}

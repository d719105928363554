/**
 * The Chat API v1 on the wire (seed 004, reference A), customer side, built in one place for
 * the HTTP replies and the CometD pushes: a new service's reply, the chat object (poll replies
 * and `/_genesys` pushes carry the same one) with its transcript entries, the `/_genesys`
 * envelope, and the advanced service's status.
 */
import { randomUUID } from "node:crypto";
import type { ChatService, ChatServiceKind, OpenChatService, TranscriptEntry } from "../domain/chat.ts";

/** Where a request came in, for the `_verbose` fields (host, port, TLS). */
export interface Origin {
  base: string;
  host: string;
  port: string;
  tls: boolean;
}

export type ChatState = "CONNECTED" | "TRANSCRIPT" | "DISCONNECTED";

/** Messages shown to the customer (`chatServiceMessage`). */
const SERVICE_MESSAGE = { open: "Chat service is available", ended: "Chat was finished" } as const;

/** A new service's reply: its `_id`, and with `_verbose` the URL to go on with. */
export function createdService(service: { id: string; kind: ChatServiceKind }, verbose: boolean, base: string): Record<string, string> {
  const body: Record<string, string> = { _id: service.id };
  if (!verbose) return body;
  if (service.kind === "basic") body["_chatIxnAPI-CREATE-URL"] = `${base}/${service.id}/ixn/chat`;
  else body._session_comand_STATUS_URL = `${base}/${service.id}/status`;
  return body;
}

/** A transcript entry: `[type, nick, text, secondsFromStart, userType]`, every element a string (spec decision 4). */
export function wireEntry(entry: TranscriptEntry, startedAt: number): [string, string, string, string, string] {
  const seconds = Math.max(0, Math.floor((entry.at - startedAt) / 1000));
  return [entry.type, entry.nick, entry.text, String(seconds), entry.userType];
}

/** The seed's URL keys, spelt exactly (underscores here; `request-chat` uses hyphens). */
function chatUrls(base: string, id: string) {
  const chat = `${base}/${id}/ixn/chat`;
  return {
    _chatIxnAPI_SEND_URL: `${chat}/send`,
    _chatIxnAPI_REFRESH_URL: `${chat}/refresh`,
    _chatIxnAPI_START_TYPING_URL: `${chat}/startTyping`,
    _chatIxnAPI_STOP_TYPING_URL: `${chat}/stopTyping`,
    _chatIxnAPI_DISCONNECT_URL: `${chat}/disconnect`,
    _chatIxnAPI_REFRESH_FROM_START_URL: `${chat}/refresh?transcriptPosition=1`,
  };
}

/**
 * The chat object (reference A.3). `entries` are the transcript entries this reply shows (none
 * on create); positions and seconds are strings.
 */
export function chatObject(service: OpenChatService, state: ChatState, entries: readonly TranscriptEntry[] | null, verbose: boolean, origin: Origin) {
  const chat = service.chat;
  const last = entries?.at(-1);
  const body: Record<string, unknown> = {
    chatIxnState: chat.ended ? "DISCONNECTED" : state,
    chatSessionId: chat.interactionId,
    transcriptPosition: String(last === undefined ? chat.nextPosition : last.position + 1),
    chatServiceMessage: chat.ended ? SERVICE_MESSAGE.ended : SERVICE_MESSAGE.open,
  };
  if (entries !== null) {
    body.transcriptToShow = entries.map((e) => wireEntry(e, chat.startedAt));
    body.startedAt = new Date(chat.startedAt).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  if (!verbose) return body;
  return {
    ...body,
    userId: chat.userId,
    secureKey: chat.secureKey,
    checkChatServiceLoadBalancerPath: "",
    chatServerLoadBalancerAlias: "parley",
    chatServerHost: origin.host,
    chatWebApiPort: origin.port,
    isTLSrequired: String(origin.tls),
    clientTimeZoneOffset: chat.clientTimeZoneOffset,
    ...chatUrls(origin.base, service.id),
  };
}

/** What a CometD-mode call answers besides the chat object (grammar sic, as GMS says it). */
const COMET_ACK = { message: "Messages will sent over CometD service channel /_genesys" } as const;

/**
 * A CometD-mode call's answer: the chat object without a transcript (that goes out as pushes)
 * and GMS's `message` in the same body. Clients read `chatSessionId`, `transcriptPosition` and
 * the `_verbose` URLs from it (seed 004's resources show `ixn/chat?notify_by=comet` so).
 */
export function cometReply(chatObject: Record<string, unknown>) {
  return { ...chatObject, ...COMET_ACK };
}

/** The `/_genesys` envelope: `{id, tag, message}`, a fresh 32-hex event id each time. */
export function customerPush(tag: string, message: unknown) {
  // randomUUID draws from a cached entropy pool: no system call per push.
  return { id: randomUUID().replaceAll("-", ""), tag, message };
}

export function refreshTag(serviceId: string): string {
  return `service.chat.refresh.${serviceId}`;
}

/** The advanced service's status (seed 004 `status`), and the tag it is pushed with. */
export function statusMessage(service: ChatService, available: boolean, estimatedWaitSeconds: number | null, verbose: boolean, base: string) {
  const message: Record<string, unknown> = {
    _id: service.id,
    _status: available ? "available" : "waiting",
    _dialog: available ? "agent_available.html" : "waiting_for_agent.html",
  };
  // parley's own field (GMS's sample service names none): how long a customer who starts now would wait.
  if (!available && estimatedWaitSeconds !== null) message._estimated_wait_seconds = estimatedWaitSeconds;
  if (verbose) {
    message._chatIxnAPI_CREATE_URL = `${base}/${service.id}/ixn/chat`;
    message._session_comand_STATUS_URL = `${base}/${service.id}/status`;
  }
  const tag = available ? `a2c.advanced.service.agentavailable.${service.id}` : `a2c.advanced.service.statuschanged.${service.id}`;
  return { message, tag };
}

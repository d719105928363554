/**
 * The Chat API v2 on the wire (spec reference/chat-v2.md §1.2, §2, §5): one envelope for every
 * REST answer and every CometD push, and each transcript entry as a v2 event. Types matter as
 * much as keys: iOS drops a whole response when one number is a string or one `type` is unknown,
 * so every field here has the JSON type the clients decode.
 */
import type { EntryType, OpenChatService, TranscriptEntry, UserType } from "../domain/chat.ts";
import { ALIAS, CUSTOMER_PARTICIPANT, indexOf, nextIndex, participantId } from "../domain/chat-v2.ts";

/** The only `type` values v2 clients accept (iOS `ChatV2MessageType`). */
const EVENT_TYPES: Record<EntryType, string> = {
  "Message.Text": "Message",
  "Notice.Joined": "ParticipantJoined",
  "Notice.Left": "ParticipantLeft",
  "Notice.TypingStarted": "TypingStarted",
  "Notice.TypingStopped": "TypingStopped",
  "Notice.PushUrl": "PushUrl",
  "Notice.Custom": "CustomNotice",
  "Notice.NicknameUpdated": "NicknameUpdated",
  "Notice.FileUploaded": "FileUploaded",
  "Notice.FileDeleted": "FileDeleted",
};

/** Events that carry no text of their own (GMS's v1 notice texts are not v2's). */
const WITHOUT_TEXT = new Set<EntryType>(["Notice.Joined", "Notice.Left", "Notice.TypingStarted", "Notice.TypingStopped"]);

const PARTY_TYPES: Record<UserType, string> = { CLIENT: "Client", AGENT: "Agent", EXTERNAL: "External" };

export interface V2Event {
  index?: number;
  type: string;
  utcTime: number;
  from: { nickname: string; participantId: number; type: string };
  text?: string;
  userData?: Record<string, string>;
}

/** One stored entry as a v2 event (spec §2.1). */
export function v2Event(entry: TranscriptEntry): V2Event {
  const event: V2Event = {
    index: indexOf(entry.position),
    type: EVENT_TYPES[entry.type],
    utcTime: entry.at,
    from: { nickname: entry.nick, participantId: participantId(entry.userType, entry.nick), type: PARTY_TYPES[entry.userType] },
  };
  if (!WITHOUT_TEXT.has(entry.type)) event.text = entry.text;
  if (entry.data !== undefined) event.userData = { ...entry.data };
  return event;
}

/** Index 1: the customer's own join, as v2 clients expect it (not stored; see domain/chat-v2.ts). */
export function customerJoined(service: OpenChatService, nickname: string): V2Event {
  return {
    index: 1,
    type: "ParticipantJoined",
    utcTime: service.chat.startedAt,
    from: { nickname, participantId: CUSTOMER_PARTICIPANT, type: "Client" },
  };
}

export interface V2Error {
  code: number;
  message: string;
  advice?: string;
}

export interface Envelope {
  statusCode: 0 | 1 | 2;
  chatEnded: boolean;
  chatId?: string;
  userId?: string;
  secureKey?: string;
  alias?: string;
  nextPosition?: number;
  messages: V2Event[];
  userData?: Record<string, string>;
  errors?: Array<V2Error & { text: string }>;
  /** A send that carried a `clientMessageId` (a parley extension): that id, and the index of the message it names. */
  clientMessageId?: string;
  clientMessageIndex?: number;
}

/** A success for a known chat: every id echoed (REST clients overwrite theirs from each answer), `nextPosition` past the newest event. */
export function chatEnvelope(service: OpenChatService, messages: readonly V2Event[], extra: { userData?: Record<string, string> } = {}): Envelope {
  const chat = service.chat;
  const envelope: Envelope = {
    statusCode: 0,
    chatEnded: chat.ended,
    chatId: chat.interactionId,
    userId: chat.userId,
    secureKey: chat.secureKey,
    alias: ALIAS,
    nextPosition: nextIndex(chat.nextPosition),
    messages: [...messages],
  };
  if (extra.userData !== undefined) envelope.userData = extra.userData;
  return envelope;
}

/**
 * A refusal (spec §5): `statusCode` 2 (1 for a fault worth retrying), `chatEnded`, the errors
 * (`text` equal to `message`: W9 falls back to it), and the chat's ids when it is known.
 */
export function errorEnvelope(error: V2Error, options: { statusCode?: 1 | 2; chatEnded?: boolean; service?: OpenChatService | null } = {}): Envelope {
  const service = options.service ?? null;
  const base: Envelope =
    service === null ? { statusCode: 2, chatEnded: options.chatEnded ?? false, messages: [] } : { ...chatEnvelope(service, []), statusCode: 2 };
  if (options.chatEnded !== undefined) base.chatEnded = options.chatEnded;
  base.statusCode = options.statusCode ?? 2;
  base.errors = [{ ...error, text: error.message }];
  return base;
}

/** The file limits reply's one pseudo-event (spec §4.4): no index, not stored, every value a string. */
export function fileLimitsEvent(nickname: string, now: number, limits: Record<string, string>): V2Event {
  return {
    type: "Notice",
    text: "file-client-cfg-get",
    utcTime: now,
    from: { nickname, participantId: CUSTOMER_PARTICIPANT, type: "Client" },
    userData: limits,
  };
}

/** Where a v2 chat's pushes go: every CometD client that used it (spec §6.4), on every node. */
export function chatTopic(interactionId: string): string {
  return `chatV2:${interactionId}`;
}

/** The chat (interaction id) a topic is of, or null for another topic. */
export function chatOfTopic(topic: string): string | null {
  return topic.startsWith("chatV2:") ? topic.slice("chatV2:".length) : null;
}

/** The channel a v2 chat's requests and pushes use. */
export function chatV2Channel(serviceName: string): string {
  return `/service/chatV2/${serviceName}`;
}

/**
 * Each new entry as its own push (spec §6.3): `nextPosition` just past it, and `chatEnded` true
 * on the last one only when the chat has ended (iOS tears its connection down at the first push
 * that says so).
 */
export function entryPushes(service: OpenChatService, entries: readonly TranscriptEntry[]): Envelope[] {
  return entries.map((entry, i) => ({
    ...chatEnvelope(service, [v2Event(entry)]),
    chatEnded: service.chat.ended && i === entries.length - 1,
    nextPosition: indexOf(entry.position) + 1,
  }));
}

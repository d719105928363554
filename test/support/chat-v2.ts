/**
 * Chat API v2 helpers for tests: requests as Widgets sends them (forms with every field, empty
 * ones included), and `assertEnvelope`, which checks every field's JSON type as the strictest
 * client (iOS) decodes it: a string where a number belongs drops the whole answer there.
 */
import assert from "node:assert/strict";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "./agents.ts";
import { cometdClient, type TestClient } from "./cometd.ts";
import { call, startServer, type Reply, type TestServer } from "./server.ts";

export type Form = Record<string, string>;

/** The only event types iOS accepts (`ChatV2MessageType`). */
export const EVENT_TYPES = [
  "ParticipantJoined",
  "ParticipantLeft",
  "Message",
  "PushUrl",
  "TypingStarted",
  "TypingStopped",
  "NicknameUpdated",
  "FileUploaded",
  "FileDeleted",
  "CustomNotice",
  "Notice",
  "IdleAlert",
  "IdleClose",
];

export interface V2Event {
  index?: number;
  type: string;
  utcTime: number;
  from: { nickname: string; participantId: number; type: string };
  text?: string;
  userData?: Record<string, string>;
}

export interface Envelope {
  statusCode: number;
  chatEnded: boolean;
  chatId: string;
  userId: string;
  secureKey: string;
  alias: string;
  nextPosition: number;
  messages: V2Event[];
  userData?: Record<string, string>;
  errors?: { code: number; message: string; advice?: string; text?: string }[];
  /** A send that carried a clientMessageId (parley's extension): the id and the index of its message. */
  clientMessageId?: string;
  clientMessageIndex?: number;
}

/** Checks the types of an envelope (a known chat's, unless `known` is false) and returns it typed. */
export function assertEnvelope(body: unknown, known = true): Envelope {
  assert.equal(typeof body, "object");
  const e = body as Record<string, unknown>;
  assert.ok([0, 1, 2].includes(e.statusCode as number), `statusCode is a number 0..2: ${JSON.stringify(e.statusCode)}`);
  assert.equal(typeof e.chatEnded, "boolean", "chatEnded is a boolean");
  assert.ok(Array.isArray(e.messages), "messages is an array");
  if (known) {
    for (const id of ["chatId", "userId", "secureKey", "alias"]) {
      assert.equal(typeof e[id], "string", `${id} is a string`);
      assert.match(e[id] as string, /^[A-Za-z0-9_-]+$/, `${id} is plain [A-Za-z0-9_-]`);
    }
    assert.ok(Number.isInteger(e.nextPosition), "nextPosition is an integer");
  }
  for (const event of e.messages as unknown[]) assertEvent(event);
  if (e.userData !== undefined) assertStrings(e.userData, "userData");
  if (e.clientMessageId !== undefined) assert.equal(typeof e.clientMessageId, "string", "clientMessageId is a string");
  if (e.clientMessageIndex !== undefined) assert.ok(Number.isInteger(e.clientMessageIndex), "clientMessageIndex is an integer");
  if (e.errors !== undefined) {
    for (const error of e.errors as { code: unknown; message: unknown }[]) {
      assert.ok(Number.isInteger(error.code), "an error's code is a number");
      assert.equal(typeof error.message, "string");
    }
  }
  return body as Envelope;
}

function assertEvent(value: unknown): void {
  const event = value as Record<string, unknown>;
  assert.ok(EVENT_TYPES.includes(event.type as string), `a known type: ${String(event.type)}`);
  if (event.index !== undefined) assert.ok(Number.isInteger(event.index), "index is an integer");
  assert.ok(Number.isInteger(event.utcTime) && (event.utcTime as number) > 1e12, "utcTime is epoch milliseconds");
  const from = event.from as Record<string, unknown>;
  assert.equal(typeof from.nickname, "string");
  assert.ok(Number.isInteger(from.participantId), "participantId is an integer");
  assert.equal(typeof from.type, "string");
  if (event.text !== undefined) assert.equal(typeof event.text, "string");
  if (event.userData !== undefined) assertStrings(event.userData, "an event's userData");
}

function assertStrings(object: unknown, what: string): void {
  for (const [key, value] of Object.entries(object as Record<string, unknown>)) assert.equal(typeof value, "string", `${what}.${key} is a string`);
}

/** POSTs a form as Widgets does (jQuery: form-urlencoded). */
export function postV2(url: string, form: Form = {}, headers: Record<string, string> = {}): Promise<Reply> {
  return call("POST", url, new URLSearchParams(form).toString(), { "content-type": "application/x-www-form-urlencoded; charset=UTF-8", ...headers });
}

/** What Widgets sends to start a chat (spec §10 REST mode step 1), empty fields and all. */
export function widgetsStartForm(extra: Form = {}): Form {
  return {
    alias: "",
    secureKey: "",
    userId: "",
    nickname: "",
    firstName: "Ann",
    lastName: "Lee",
    emailAddress: "ann@example.com",
    subject: "My order",
    text: "",
    "userData[GCTI_LanguageCode]": "false",
    "userData[_genesys_source]": "web",
    "userData[_genesys_referrer]": "",
    "userData[_genesys_url]": "https://shop.example.com/",
    "userData[_genesys_pageTitle]": "Shop",
    "userData[_genesys_browser]": "Chrome",
    "userData[_genesys_OS]": "Linux",
    "userData[_genesys_widgets]": "9.0.017.00",
    ...extra,
  };
}

export interface V2Chat {
  chatId: string;
  keys: Form;
}

export function chatV2Api(baseUrl: string, service = "customer-support") {
  const base = `${baseUrl}/genesys/2/chat/${service}`;
  return {
    base,
    async start(form: Form = widgetsStartForm(), headers: Record<string, string> = {}): Promise<V2Chat & { reply: Envelope }> {
      const reply = await postV2(`${base}/`, form, headers);
      assert.equal(reply.status, 200, reply.text);
      const body = assertEnvelope(reply.body);
      assert.equal(body.statusCode, 0, reply.text);
      return { chatId: body.chatId, keys: { alias: body.alias, secureKey: body.secureKey, userId: body.userId }, reply: body };
    },
    /** An operation on the chat, with its keys, as Widgets posts it. */
    op(chat: V2Chat, operation: string, form: Form = {}, headers: Record<string, string> = {}): Promise<Reply> {
      return postV2(`${base}/${chat.chatId}/${operation}`, { ...chat.keys, ...form }, headers);
    },
  };
}

export interface AgentSetup {
  server: TestServer;
  api: ReturnType<typeof agentApi>;
  agent: TestAgent;
  v2: ReturnType<typeof chatV2Api>;
}

/** A server of its own with one agent Ready for chats, their desktop connected (no chat of another test waits ahead). */
export async function withChatAgent(body: (setup: AgentSetup) => Promise<void>): Promise<void> {
  const own = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ROUTING_SWEEP_MS: "50" } });
  const api = agentApi(own.url);
  const agent = await api.createAgent("vera", { firstName: "Vera" });
  const desk: TestClient = cometdClient(`${own.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  try {
    await desk.handshake();
    await desk.subscribe("/v2/me/interactions");
    await api.ready(agent, "chat");
    await body({ server: own, api, agent, v2: chatV2Api(own.url) });
  } finally {
    await desk.disconnect();
    await own.close();
  }
}

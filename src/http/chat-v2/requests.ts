/**
 * Chat API v2 requests as both flavours send them (spec §3.1, §6.2): REST parameters (query,
 * form, multipart, JSON, JSON labelled as a form: all strings by then, `userData[key]` fields or
 * a `userData` JSON object) and CometD `data` (numbers or strings, `userData` an object). Empty
 * strings count as absent: Widgets sends every field, empty when it has no value.
 */
import type { ChatV2Key } from "../../access/chat.ts";
import { V2_OPERATIONS, type V2ChatRequest, type V2Operation } from "../../actions/chat-v2.ts";
import { parseV2Position } from "../../domain/chat-v2.ts";
import { parseClientMessageId } from "../../domain/chat-input.ts";
import { invalidInput } from "../../domain/errors.ts";
import { parseUntrustedJson } from "../../safe-json.ts";

/** One request's fields, whichever flavour carried them. */
export interface V2Fields {
  /** A field as a string; null when absent or empty. */
  get(name: string): string | null;
  /** `userData`, every value a string. */
  userData(): Record<string, string>;
  /** A raw field (a position may be a number). */
  raw(name: string): unknown;
}

const USER_DATA_FIELD = /^userData\[(.+)\]$/;

/** REST parameters (http/chat/params.ts `chatParams`: every value a string). */
export function restFields(params: Readonly<Record<string, string>>, maxDepth: number): V2Fields {
  return {
    get: (name) => nonEmpty(params[name]),
    raw: (name) => params[name],
    userData() {
      const data: Record<string, string> = {};
      const json = params.userData;
      if (json?.trim().startsWith("{")) {
        const parsed = parseUntrustedJson(json, maxDepth);
        if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) throw invalidInput("userData: a JSON object");
        Object.assign(data, stringValues(parsed.value as Record<string, unknown>));
      }
      for (const [key, value] of Object.entries(params)) {
        const name = USER_DATA_FIELD.exec(key)?.[1];
        if (name !== undefined && name !== "__proto__") data[name] = value;
      }
      return data;
    },
  };
}

/** CometD `data`: an object whose values may be numbers, strings or (userData) an object. */
export function cometFields(data: Readonly<Record<string, unknown>>): V2Fields {
  return {
    get(name) {
      const value = data[name];
      if (typeof value === "string") return nonEmpty(value);
      return typeof value === "number" || typeof value === "boolean" ? String(value) : null;
    },
    raw: (name) => data[name],
    userData() {
      const value = data.userData;
      return typeof value === "object" && value !== null && !Array.isArray(value) ? stringValues(value as Record<string, unknown>) : {};
    },
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}

/** userData values as strings (iOS decodes `[String:String]`); nested values as their JSON. */
function stringValues(object: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === "__proto__" || value === undefined || value === null) continue;
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

export function chatRequestOf(fields: V2Fields): V2ChatRequest {
  return {
    nickname: fields.get("nickname"),
    firstName: fields.get("firstName"),
    lastName: fields.get("lastName"),
    emailAddress: fields.get("emailAddress"),
    subject: fields.get("subject"),
    text: fields.get("text"),
    userData: fields.userData(),
  };
}

/** The chat a request names: `secureKey`, with `chatId` (the path, or W8/W9's field) and `userId` when given. */
export function chatKeyOf(fields: V2Fields, chatId: string | null): ChatV2Key {
  return { chatId: chatId ?? fields.get("chatId"), secureKey: fields.get("secureKey"), userId: fields.get("userId") };
}

/** CometD's names for REST's operations (`sendMessage` is `send`). */
const ALIASES: Record<string, V2Operation["name"]> = { sendMessage: "send" };

/** An operation's name as a client sends it, or null when there is none such. */
export function operationName(name: string): V2Operation["name"] | null {
  const known = ALIASES[name] ?? name;
  return (V2_OPERATIONS as readonly string[]).includes(known) ? (known as V2Operation["name"]) : null;
}

/** An operation and its fields; `message` in refresh and typing is a preview and not read. */
export function operationOf(name: V2Operation["name"], fields: V2Fields): V2Operation {
  switch (name) {
    case "send":
      return { name, message: fields.get("message") ?? "", clientMessageId: parseClientMessageId(fields.raw("clientMessageId")) };
    case "pushUrl":
      return { name, url: fields.get("pushUrl") ?? "" };
    case "customNotice":
      return { name, message: fields.get("message") ?? "" };
    case "updateNickname":
      return { name, nickname: fields.get("nickname") ?? "" };
    case "updateData":
    case "requestNotifications":
      return { name, userData: fields.userData() };
    default:
      return { name };
  }
}

export function positionOf(fields: V2Fields): number | null {
  return parseV2Position(fields.raw("transcriptPosition"));
}

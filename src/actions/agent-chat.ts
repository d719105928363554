/**
 * What agents do in a chat besides the seed's operations (spec decision 8): SendMessage,
 * StartTyping / StopTyping (and GA's SendStartTypingNotification / SendStopTypingNotification),
 * PushUrl, and RequestChatHistory (the whole transcript again, on CometD). Only an agent in the
 * chat (its owner once accepted, or in conference) may; the entry is stored, then everyone told.
 */
import { pushableUrl } from "../domain/chat-input.ts";
import { accessWorkForActing } from "../access/agent-interactions.ts";
import { chatAgents, hasChat, hasRoomFor, notice, transcriptFull, type NewEntry } from "../domain/chat.ts";
import { invalidInput, invalidState } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import type { User } from "../domain/users.ts";
import { commit } from "./after-commit.ts";
import { sendWholeTranscript } from "./chat-delivery.ts";
import { appendEntries, nickname, transcriptLimits } from "./chat-transcript.ts";
import type { ActionContext } from "./context.ts";

const OPERATIONS = new Set([
  "SendMessage",
  "StartTyping",
  "StopTyping",
  "SendStartTypingNotification",
  "SendStopTypingNotification",
  "PushUrl",
  "RequestChatHistory",
]);

export function isChatOperation(name: unknown): boolean {
  return typeof name === "string" && OPERATIONS.has(name);
}

export async function operateChat(ctx: ActionContext, user: User, id: string, body: JsonObject): Promise<void> {
  const name = body.operationName as string;
  // What the agent sends is checked before the transaction starts.
  const entry = name === "RequestChatHistory" ? null : entryFor(ctx, name, nickname(user), body);
  const history = await commit(ctx, async (tx, announce) => {
    const ix = await accessWorkForActing(tx, user, id);
    if (ix.mediaType !== "chat") throw invalidState(`${name}: interaction ${id} is not a chat`);
    if (!chatAgents(ix).includes(user.id)) throw invalidState(`${name}: accept the chat first (interaction ${id} is ${ix.state} for you)`);
    const service = await tx.chats.byInteraction(id, { lock: true });
    if (service === null || !hasChat(service)) throw invalidState(`${name}: interaction ${id} has no chat transcript`);
    if (entry === null) return { service, ix };
    if (service.chat.ended) throw invalidState(`${name}: the customer has left the chat`);
    const limits = transcriptLimits(ctx);
    if (!hasRoomFor(service.chat, [entry], limits)) throw transcriptFull(limits);
    const appended = await appendEntries(tx, ctx, service, [entry]);
    announce.chat({ ...appended, interaction: ix, verbose: false, joined: [], origin: null });
    return null;
  });
  if (history !== null) await sendWholeTranscript(ctx, history.ix, history.service, [user.id]);
}

function entryFor(ctx: ActionContext, name: string, nick: string, body: JsonObject): NewEntry {
  switch (name) {
    case "SendMessage":
      return { type: "Message.Text", nick, text: text(ctx, body, "text"), userType: "AGENT" };
    case "PushUrl":
      return { type: "Notice.PushUrl", nick, text: pushableUrl(body.url), userType: "AGENT" };
    case "StartTyping":
    case "SendStartTypingNotification":
      return notice("Notice.TypingStarted", nick, "AGENT");
    default:
      return notice("Notice.TypingStopped", nick, "AGENT");
  }
}

function text(ctx: ActionContext, body: JsonObject, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") throw invalidInput(`${field}: required (a non-empty string)`);
  if (value.length > ctx.chat.maxMessageChars) throw invalidInput(`${field}: at most ${ctx.chat.maxMessageChars} characters`);
  return value;
}

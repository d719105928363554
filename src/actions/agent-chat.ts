/**
 * What agents do in a chat besides the seed's operations (spec decision 8): SendMessage,
 * StartTyping / StopTyping (and GA's SendStartTypingNotification / SendStopTypingNotification),
 * PushUrl, and RequestChatHistory (the whole transcript again, on CometD). Only an agent in the
 * chat (its owner once accepted, or in conference) may; the entry is stored, then everyone told.
 */
import { parseClientMessageId, pushableUrl } from "../domain/chat-input.ts";
import { accessWorkForActing } from "../access/agent-interactions.ts";
import { chatAgents, clientMessageKey, hasChat, hasRoomFor, notice, transcriptFull, type NewEntry } from "../domain/chat.ts";
import { invalidInput, invalidState } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import type { User } from "../domain/users.ts";
import { commit } from "./after-commit.ts";
import { sendWholeTranscript } from "./chat-delivery.ts";
import { appendEntries, nickname, onceMoreIfDuplicate, transcriptLimits, withClientMessageKey } from "./chat-transcript.ts";
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

/** A SendMessage that carried a `clientMessageId` (a parley extension): the id, and the index of the message it names. */
export interface SentMessage {
  clientMessageId: string;
  clientMessageIndex: number;
}

/**
 * One of these operations by an agent in the chat. A SendMessage whose clientMessageId this agent
 * has sent in this chat already is a retry: it adds nothing and names the message the first one added.
 */
export async function operateChat(ctx: ActionContext, user: User, id: string, body: JsonObject): Promise<SentMessage | null> {
  const name = body.operationName as string;
  // What the agent sends is checked before the transaction starts.
  const entry = name === "RequestChatHistory" ? null : entryFor(ctx, name, nickname(user), body);
  const clientMessageId = name === "SendMessage" ? parseClientMessageId(body.clientMessageId) : null;
  const key = clientMessageId === null ? null : clientMessageKey({ agentId: user.id }, clientMessageId);
  // A retry that raced its original past the lock finds the original's entry the second time.
  const done = await onceMoreIfDuplicate(key !== null, () =>
    commit(ctx, async (tx, announce) => {
      const ix = await accessWorkForActing(tx, user, id);
      if (ix.mediaType !== "chat") throw invalidState(`${name}: interaction ${id} is not a chat`);
      if (!chatAgents(ix).includes(user.id)) throw invalidState(`${name}: accept the chat first (interaction ${id} is ${ix.state} for you)`);
      const service = await tx.chats.byInteraction(id, { lock: true });
      if (service === null || !hasChat(service)) throw invalidState(`${name}: interaction ${id} has no chat transcript`);
      if (entry === null) return { history: { service, ix } };
      const sent = key === null ? null : await tx.chats.byClientMessage(id, key);
      if (sent !== null) return { named: sent };
      if (service.chat.ended) throw invalidState(`${name}: the customer has left the chat`);
      const limits = transcriptLimits(ctx);
      if (!hasRoomFor(service.chat, [entry], limits)) throw transcriptFull(limits);
      const appended = await appendEntries(tx, ctx, service, key === null ? [entry] : withClientMessageKey([entry], key));
      announce.chat({ ...appended, interaction: ix, verbose: false, joined: [], origin: null });
      return { named: appended.entries[0] ?? null };
    }),
  );
  if (done.history !== undefined) {
    await sendWholeTranscript(ctx, done.history.ix, done.history.service, [user.id]);
    return null;
  }
  return clientMessageId === null || done.named === null ? null : { clientMessageId, clientMessageIndex: done.named.position };
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

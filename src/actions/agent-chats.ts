/**
 * The GA GWS chat API (`/api/v2/me/chats`, reference C.5) over the same chat interactions as the
 * 8.5.0 interactions API: each GA operation is one or two of the interactions API's, so both
 * APIs see one chat, and what one does the other is told. Notifications: after-commit.ts.
 */
import { accessWorkForReading } from "../access/agent-interactions.ts";
import { isInvolved, viewState, type AgentInteraction } from "../domain/agent-interactions.ts";
import { invalidInput, notFound } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import type { User } from "../domain/users.ts";
import { gaChatState } from "../wire/agent-chats.ts";
import type { SentMessage } from "./agent-chat.ts";
import { myInteractions, operate } from "./agent-interactions.ts";
import type { ActionContext } from "./context.ts";

/** The caller's chats: offered, invited, worked on (parked ones belong to workbins). */
export async function myChats(ctx: ActionContext, user: User): Promise<AgentInteraction[]> {
  return (await myInteractions(ctx, user)).filter((ix) => ix.mediaType === "chat" && gaChatState(viewState(ix, user.id)) !== "Completed");
}

/** One chat the caller may read; anything else, an open-media interaction included, is not found. */
export async function getChat(ctx: ActionContext, user: User, id: string): Promise<AgentInteraction> {
  const ix = await accessWorkForReading(ctx.store, user, id);
  if (ix.mediaType !== "chat") throw notFound(`There is no chat ${id}`);
  return ix;
}

/**
 * A GA chat operation, run as the interactions API's operations it stands for (which check who may
 * act); a SendMessage with a clientMessageId answers the message it names, as the interactions API does.
 */
export async function operateGaChat(ctx: ActionContext, user: User, id: string, body: JsonObject): Promise<SentMessage | null> {
  const ix = await ctx.store.agentInteractions.get(id);
  if (ix === null || ix.mediaType !== "chat") throw notFound(`There is no chat ${id}`);
  const involved = isInvolved(ix, user.id);
  // GA desktops Leave, then Complete: once the chat has left the agent (completed, handed to a
  // conference partner, or left as a member), Complete has nothing left to do.
  if (body.operationName === "Complete" && (!involved || gaChatState(viewState(ix, user.id)) === "Completed")) return null;
  // Anyone else's chat does not exist for them, whatever they ask.
  if (!involved) throw notFound(`There is no chat ${id}`);
  let sent: SentMessage | null = null;
  for (const operation of interactionOperations(body)) sent = (await operate(ctx, user, id, operation)) ?? sent;
  return sent;
}

/** What each GA operation is in the interactions API (seed 003, spec decision 8). */
function interactionOperations(body: JsonObject): JsonObject[] {
  const name = body.operationName;
  switch (name) {
    case "Accept":
    case "Reject":
    case "SendMessage":
    case "SendStartTypingNotification":
    case "SendStopTypingNotification":
    case "Transfer":
      return [body];
    case "SendUrl":
    case "PushUrl":
      return [{ operationName: "PushUrl", url: body.url ?? null }];
    case "Invite":
      return [{ operationName: "StartConference", agentId: body.targetId ?? body.agentId ?? null }];
    case "Complete":
      // saveLAR false here too: the agent may decide at the end not to be the customer's last agent.
      return [{ operationName: "StopProcessing", ...(body.saveLAR === undefined ? {} : { saveLAR: body.saveLAR }) }];
    case "Leave":
      // A parting message, when given, is said before the agent goes.
      return [
        ...(typeof body.text === "string" && body.text !== "" ? [{ operationName: "SendMessage", text: body.text }] : []),
        { operationName: "StopProcessing" },
      ];
    case "AttachUserData":
    case "UpdateUserData":
      return [{ operationName: "UpdateProperties", properties: body.userData ?? null }];
    case "DeleteUserData":
      return [{ operationName: "UpdateProperties", properties: removals(body.keys) }];
    default:
      throw invalidInput(
        `operationName: ${String(name)} is not one of Accept, Reject, SendMessage, SendStartTypingNotification, SendStopTypingNotification, SendUrl, PushUrl, Transfer, Invite, AttachUserData, UpdateUserData, DeleteUserData, Leave, Complete`,
      );
  }
}

/** `keys: ["a", "b"]` as the update that removes them (`null` removes a key). */
function removals(keys: unknown): JsonObject {
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) throw invalidInput("keys: an array of attached data keys");
  return Object.fromEntries(keys.map((k) => [k, null]));
}

/**
 * The GA GWS chat API (reference C.5, C.6) beside the 8.5.0 interactions API, over the same chat
 * interactions: `GET /api/v2/me/chats`, `POST /api/v2/me/chats/{id}`, and the notifications on
 * `/v2/me/chats` (`ChatStateChangeMessage`, `MessageLogUpdated`). Pure: an interaction and who
 * looks at it in, JSON out.
 */
import { viewState, type AgentInteraction, type ViewState } from "../domain/agent-interactions.ts";
import type { TranscriptEntry } from "../domain/chat.ts";
import { agentEntry } from "./agent-api.ts";

/** Where GA chat notifications go. */
export const CHATS_CHANNEL = "/v2/me/chats";

export type GaChatState = "Ringing" | "Chatting" | "Completed";

/** A chat's GA state for one agent: offered or invited is Ringing, working on it is Chatting, anything else has left them. */
export function gaChatState(state: ViewState): GaChatState {
  if (state === "Invited" || state === "InvitedConference") return "Ringing";
  if (state === "Accepted") return "Chatting";
  return "Completed";
}

/** The operations an agent may send in each state: GA clients enable their buttons from this list. */
const CAPABILITIES: Record<GaChatState, readonly string[]> = {
  Ringing: ["Accept", "Reject"],
  Chatting: [
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
    "SendUrl",
    "Transfer",
    "Invite",
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
    "Leave",
    "Complete",
  ],
  Completed: [],
};

const OWNER_ONLY = new Set(["Transfer", "Invite"]);

/** The chat object of `GET /api/v2/me/chats` and of ChatStateChangeMessage, as `viewer` sees it. */
export function presentChat(ix: AgentInteraction, viewer: string, base: string, state: ViewState = viewState(ix, viewer)) {
  const ga = gaChatState(state);
  const agents = [...(ix.ownerId === null ? [] : [ix.ownerId]), ...ix.conference];
  return {
    id: ix.id,
    state: ga,
    // Transfer and Invite are the owner's; a conference member may do the rest.
    capabilities: CAPABILITIES[ga].filter((c) => ix.ownerId === viewer || !OWNER_ONLY.has(c)),
    participants: [
      { type: "Customer", nickname: customerNickname(ix), participantId: `customer-${ix.id}` },
      ...agents.map((agentId) => ({ type: "Agent", participantId: agentId })),
    ],
    userData: ix.properties,
    chatType: "Inbound",
    queue: ix.queue,
    receivedDate: new Date(ix.createdAt).toISOString(),
    path: `/chats/${ix.id}`,
    uri: `${base}/chats/${ix.id}`,
  };
}

function customerNickname(ix: AgentInteraction): string {
  const { nickname, firstName, lastName } = ix.properties;
  if (typeof nickname === "string" && nickname !== "") return nickname;
  return [firstName, lastName].filter((part) => typeof part === "string" && part !== "").join(" ") || "Customer";
}

/** `ChatStateChangeMessage` on `/v2/me/chats`: the chat, as the recipient sees it now. */
export function chatStateMessage(
  ix: AgentInteraction,
  viewer: string,
  notificationType: "StatusChange" | "PropertiesUpdated",
  base: string,
  state?: ViewState,
) {
  return { messageType: "ChatStateChangeMessage", notificationType, chat: presentChat(ix, viewer, base, state) };
}

/** `MessageLogUpdated` on `/v2/me/chats`: new transcript entries, in the same form as the interactions API's NewMessages. */
export function messageLogMessage(ix: AgentInteraction, entries: readonly TranscriptEntry[], base: string) {
  return {
    messageType: "MessageLogUpdated",
    notificationType: "NewMessages",
    chatPath: `/chats/${ix.id}`,
    chatUri: `${base}/chats/${ix.id}`,
    messages: entries.map(agentEntry),
  };
}

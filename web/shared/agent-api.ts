/**
 * The GWS agent API (`/api/v2`) as the desktop uses it: typed requests, and the shapes of the
 * CometD notifications on `/v2/me/interactions` and `/v2/me/channels` (README, Agent API).
 * After the one Basic login the JSESSIONID cookie authenticates everything, CometD included.
 */
import { apiUrl, gmsApp, request } from "./http.ts";

type Channel = "chat" | "openmedia" | "email" | "sms";

export interface User {
  id: string;
  userName: string;
  firstName: string;
  lastName: string;
  roles: string[];
}

interface UserState {
  id: string;
  state: "Ready" | "NotReady" | string;
  displayName: string;
  reason?: string;
}

export interface ChannelState {
  channel: Channel | string;
  userState: UserState;
}

type ViewState = "Queued" | "Invited" | "InvitedConference" | "Accepted" | "InWorkbin" | "Completed" | "LeftConference";

export interface Interaction {
  id: string;
  mediaType: string;
  state: ViewState;
  queue: string;
  ownerId: string | null;
  participants: string[];
  workbin: string | null;
  customerId: string | null;
  unverifiedCustomerId: string | null;
  userData: Record<string, unknown>;
  receivedDate: string;
  /** While it is a routing offer to the caller: when it goes to the next agent. */
  offerExpiresAt?: string;
}

type MessageType =
  | "Text"
  | "ParticipantJoined"
  | "ParticipantLeft"
  | "TypingStarted"
  | "TypingStopped"
  | "PushUrl"
  | "Notice"
  | "NicknameUpdated"
  | "FileUploaded"
  | "FileDeleted";

export interface ChatMessage {
  index: number;
  type: MessageType | string;
  text: string;
  from: { nickname: string; type: "Customer" | "Agent" | "External" | string };
  timestamp: string;
  timestampSeconds: number;
  /** What a file entry names: `file-id`, and on FileUploaded `file-name`, `file-size` (bytes), `file-type`, `file-description`. */
  userData?: Record<string, string>;
}

interface InteractionHeader {
  messageType: "InteractionStateMessage";
  id: string;
  state: ViewState;
}

export type InteractionNotification =
  | (InteractionHeader & { notificationType: "NewInteraction" | "StatusChange" | "WorkbinContent"; interaction: Interaction })
  | (InteractionHeader & { notificationType: "PropertiesUpdated"; changedProperties: Record<string, unknown> })
  | (InteractionHeader & { notificationType: "NewMessages"; messages: ChatMessage[] });

export interface ChannelNotification {
  messageType: "ChannelStateChangeMessageV2";
  channels: ChannelState[];
}

/** An entry of GET /api/v2/agents; supervisors also get load and capacity. */
export interface AgentSummary {
  id: string;
  userName: string;
  firstName: string;
  lastName: string;
  roles: string[];
  channels: ChannelState[];
}

export type Operation =
  | { operationName: "Accept" | "Reject" | "StopProcessing" | "EndConference" | "LeaveConference" | "RequestChatHistory" }
  | { operationName: "StartTyping" | "StopTyping" }
  | { operationName: "PlaceInQueue"; queue: string }
  | { operationName: "PlaceInWorkbin" | "GetWorkbinContent"; workbin: string }
  | { operationName: "UpdateProperties"; properties: Record<string, unknown> }
  | { operationName: "Transfer"; targetId: string }
  | { operationName: "StartConference"; agentId: string }
  | { operationName: "SendMessage"; text: string }
  | { operationName: "PushUrl"; url: string };

/** Base64 of UTF-8 (btoa alone fails on names outside Latin-1). */
function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Logs in once with Basic; the answer sets the session cookie every later request relies on. */
export async function login(userName: string, password: string): Promise<User> {
  const reply = await request<{ user: User }>("api/v2/me", { headers: { authorization: `Basic ${base64(`${userName}:${password}`)}` } });
  return reply.user;
}

/** The user the session cookie names (401 ApiError when there is none). */
export async function currentUser(): Promise<User> {
  return (await request<{ user: User }>("api/v2/me")).user;
}

export async function logout(): Promise<void> {
  await request("api/v2/me/logout", { method: "POST", json: {} });
}

export async function getChannels(): Promise<ChannelState[]> {
  return (await request<{ channels: ChannelState[] }>("api/v2/me/channels")).channels;
}

/** Ready or NotReady (with a reason) on every channel, or on one. */
export async function setState(ready: boolean, reason: string | undefined, channel?: string): Promise<void> {
  const body = ready ? { operationName: "Ready" } : { operationName: "NotReady", ...(reason === undefined ? {} : { reason }) };
  await request(channel === undefined ? "api/v2/me" : `api/v2/me/channels/${encodeURIComponent(channel)}`, { method: "POST", json: body });
}

export async function myInteractions(): Promise<Interaction[]> {
  return (await request<{ interactions: Interaction[] }>("api/v2/me/interactions?fields=*")).interactions;
}

export async function operate(id: string, operation: Operation): Promise<void> {
  await request(`api/v2/me/interactions/${encodeURIComponent(id)}`, { method: "POST", json: operation });
}

/** Where a file the customer attached to a chat downloads from (the session cookie authenticates it; served as an attachment). */
export function fileUrl(interactionId: string, fileId: string): string {
  return apiUrl(`api/v2/interactions/${encodeURIComponent(interactionId)}/files/${encodeURIComponent(fileId)}`);
}

export async function listAgents(): Promise<AgentSummary[]> {
  return (await request<{ agents: AgentSummary[] }>("api/v2/agents")).agents;
}

/** The queues' names (GET /api/v2/queues: agents get names and skills), to place an interaction in one. */
export async function queueNames(): Promise<string[]> {
  return (await request<{ queues: Array<{ name: string }> }>("api/v2/queues")).queues.map((q) => q.name);
}

/** A Context Services path (`customers/C1/services`), with the agent's cookie. */
export function contextServices<T>(path: string): Promise<T> {
  return request<T>(`${encodeURIComponent(gmsApp())}/1/cs/${path}`);
}

/** The Not Ready reasons the deployment offers (GET /api/v2/settings/agent-states), as `{reason, label}`. */
export async function notReadyReasons(): Promise<Array<{ reason: string; label: string }>> {
  const reply = await request<{ settings: Array<{ operationName: string; displayName: string; state: string; reason?: string }> }>(
    "api/v2/settings/agent-states",
  );
  return reply.settings
    .filter((s) => s.state === "NotReady" && s.operationName !== "NotReady")
    .map((s) => ({ reason: s.reason ?? s.operationName, label: s.displayName || s.operationName }));
}

/**
 * The agent API on the wire (GWS, seed 003, reference C): users, channel states, the interaction
 * resource, chat transcript entries as agents get them, and the CometD notifications on
 * `/api/v2/notifications` (reference C.6). REST replies and notifications are built here alike,
 * so they cannot drift apart.
 */
import { viewState, type AgentInteraction, type NotificationType, type ViewState } from "../domain/agent-interactions.ts";
import type { AgentView } from "../actions/agents.ts";
import type { AgentStateOperation } from "../domain/agent-state.ts";
import type { AgentStatistics } from "../domain/agent-statistics.ts";
import { AFTER_CALL_WORK, type ReportedChannel } from "../domain/wrap-up.ts";
import type { QueueView } from "../actions/queues.ts";
import type { QueuePolicy } from "../domain/queue-policy.ts";
import type { EntryType, TranscriptEntry, UserType } from "../domain/chat.ts";
import type { JsonObject } from "../domain/json.ts";
import type { User } from "../domain/users.ts";

/** A user as GWS presents one; the password hash never leaves. */
export function presentUser(user: User, base: string) {
  return {
    id: user.id,
    userName: user.userName,
    firstName: user.firstName,
    lastName: user.lastName,
    roles: user.roles,
    skills: user.skills,
    capacity: user.capacity,
    enabled: user.enabled,
    path: `/users/${user.id}`,
    uri: `${base}/users/${user.id}`,
  };
}

/**
 * An agent in `GET /api/v2/agents`: who they are and their state per channel; for supervisors
 * and admins also their capacity, what they hold per channel, and those interactions (each with
 * the state the agent sees: Invited, Accepted, InWorkbin...).
 */
export function presentAgent(view: AgentView) {
  const { user, work } = view;
  const agent = {
    id: user.id,
    userName: user.userName,
    firstName: user.firstName,
    lastName: user.lastName,
    roles: user.roles,
    channels: view.channels.map(presentChannel),
  };
  if (work === null) return agent;
  return {
    ...agent,
    capacity: user.capacity,
    load: work.load,
    interactions: work.interactions.map((ix) => ({ id: ix.id, mediaType: ix.mediaType, state: viewState(ix, user.id), queue: ix.queue })),
  };
}

/** One agent-state operation, as `GET /api/v2/settings/agent-states` lists it: `{operationName, displayName, state, reason?}`. */
export function presentAgentStateOperation(operation: AgentStateOperation) {
  const presented: Record<string, unknown> = { operationName: operation.operationName, displayName: operation.displayName, state: operation.state };
  if (operation.reason !== null) presented.reason = operation.reason;
  return presented;
}

/**
 * A channel as GWS presents it: `{channel, userState: {id, state, displayName, reason?}}`. In
 * after-call work GWS's way: `{id: "AfterCallWork", state: "NotReady", displayName: "After call
 * work", reason: "AfterCallWork", workMode: "AfterCallWork", wrapUpEndsAt}` (an ISO time), so a
 * desktop that knows only Ready and NotReady shows Not Ready.
 */
export function presentChannel(s: ReportedChannel) {
  if (s.wrapUpEndsAt !== null) {
    const userState = { id: AFTER_CALL_WORK, state: s.state, displayName: "After call work", reason: AFTER_CALL_WORK, workMode: AFTER_CALL_WORK };
    return { channel: s.channel, userState: { ...userState, wrapUpEndsAt: new Date(s.wrapUpEndsAt).toISOString() } };
  }
  const userState: Record<string, unknown> = { id: s.state, state: s.state, displayName: s.state === "Ready" ? "Ready" : "Not Ready" };
  if (s.reason !== null) userState.reason = s.reason;
  return { channel: s.channel, userState };
}

/**
 * An agent's statistics for today (`GET /api/v2/me/statistics`): the period (ISO times, and the
 * time zone whose midnight starts it), totals, and per channel the seconds in each state and
 * reason (`AfterCallWork` is wrap-up time), interactions handled and their average handle time.
 */
export function presentStatistics(userId: string, stats: AgentStatistics, timeZone: string) {
  return {
    userId,
    date: "today",
    timeZone,
    since: new Date(stats.since).toISOString(),
    until: new Date(stats.until).toISOString(),
    interactionsHandled: stats.interactionsHandled,
    averageHandleSeconds: stats.averageHandleSeconds,
    wrapUpSeconds: stats.wrapUpSeconds,
    channels: stats.channels,
  };
}

export function channelStateMessage(states: readonly ReportedChannel[]) {
  return {
    messageType: "ChannelStateChangeMessageV2",
    messageTypeName: "ChannelStateChangeMessageV2",
    channels: states.map(presentChannel),
  };
}

/**
 * An interaction as the agent API presents it, from `viewer`'s standpoint (REST with
 * `fields=*`, and the notifications that carry the whole object). The attached data appears
 * once, as `userData` (GWS). `customerId` is a profile the chat's identity was verified for (or
 * an administrator named); what a client merely claimed is `unverifiedCustomerId`.
 */
export function presentWork(ix: AgentInteraction, viewer: string | null, base: string, state?: ViewState) {
  const claimed = ix.properties.customer_id;
  return {
    id: ix.id,
    mediaType: ix.mediaType,
    state: state ?? (viewer === null ? ix.state : viewState(ix, viewer)),
    queue: ix.queue,
    ownerId: ix.ownerId,
    participants: [...(ix.ownerId === null ? [] : [ix.ownerId]), ...ix.conference],
    workbin: ix.workbin,
    customerId: ix.customerId,
    unverifiedCustomerId: ix.customerId === null && typeof claimed === "string" ? claimed : null,
    userData: ix.properties,
    // Routing priority (parley's; GWS has no such field): higher is routed first.
    priority: ix.priority,
    receivedDate: new Date(ix.createdAt).toISOString(),
    // While it is a routing offer to the viewer: when it goes to the next agent (ROUTING_OFFER_TIMEOUT_MS).
    ...(ix.invitation !== null && ix.invitation.expiresAt !== null && ix.invitation.agentId === viewer
      ? { offerExpiresAt: new Date(ix.invitation.expiresAt).toISOString() }
      : {}),
    path: `/interactions/${ix.id}`,
    uri: `${base}/interactions/${ix.id}`,
  };
}

/** What every `InteractionStateMessage` starts with: its type, and the interaction's id and state for this agent. */
function interactionHeader(ix: AgentInteraction, viewer: string, notificationType: NotificationType | "NewMessages", state?: ViewState) {
  return {
    messageType: "InteractionStateMessage",
    messageTypeName: "InteractionStateMessage",
    notificationType,
    id: ix.id,
    state: state ?? viewState(ix, viewer),
  };
}

/**
 * `InteractionStateMessage` on `/v2/me/interactions` (spec decision 6). A new interaction, a
 * change of state and a workbin listing carry the whole object; a properties update carries only
 * what changed (`changedProperties`: each key the update set, `null` where it removed one), so
 * busy interactions do not resend their attached data with every notice.
 */
export function interactionMessage(
  ix: AgentInteraction,
  viewer: string,
  notificationType: NotificationType,
  base: string,
  options: { state?: ViewState; changedProperties?: JsonObject } = {},
) {
  const header = interactionHeader(ix, viewer, notificationType, options.state);
  if (notificationType === "PropertiesUpdated") return { ...header, changedProperties: options.changedProperties ?? {} };
  return { ...header, interaction: presentWork(ix, viewer, base, header.state) };
}

const AGENT_TYPES: Record<EntryType, string> = {
  "Message.Text": "Text",
  "Notice.Joined": "ParticipantJoined",
  "Notice.Left": "ParticipantLeft",
  "Notice.TypingStarted": "TypingStarted",
  "Notice.TypingStopped": "TypingStopped",
  "Notice.PushUrl": "PushUrl",
  "Notice.Custom": "Notice",
  "Notice.NicknameUpdated": "NicknameUpdated",
  "Notice.FileUploaded": "FileUploaded",
  "Notice.FileDeleted": "FileDeleted",
};
const PARTY_TYPES: Record<UserType, string> = { CLIENT: "Customer", AGENT: "Agent", EXTERNAL: "External" };

/** A transcript entry as agents get it (GA `MessageLogUpdated` shape). */
export function agentEntry(e: TranscriptEntry) {
  return {
    index: e.position,
    type: AGENT_TYPES[e.type],
    text: e.text,
    from: { nickname: e.nick, type: PARTY_TYPES[e.userType] },
    timestamp: new Date(e.at).toISOString(),
    timestampSeconds: e.at,
    // A file entry names its file (`file-id`, ...): the desktop downloads it through the agent API.
    ...(e.data === undefined ? {} : { userData: { ...e.data } }),
  };
}

/**
 * `NewMessages` on `/v2/me/interactions` (spec decision 6) for one agent: the entries, with the
 * interaction's id and state only; the desktop reads the interaction when it needs more.
 */
export function newMessagesMessage(ix: AgentInteraction, viewer: string, entries: readonly TranscriptEntry[]) {
  return { ...interactionHeader(ix, viewer, "NewMessages"), messages: entries.map(agentEntry) };
}

/** Where supervisors and administrators hear that something they watch changed (/api/v2/notifications). */
export const SUPERVISOR_CHANNEL = "/v2/supervisor/changes";

/** What a supervisor's view shows that may have changed: `agents` (GET /agents), `queues` (GET /queues). */
export type SupervisedView = "agents" | "queues";

/** `{"messageType":"SupervisorChange","changed":["agents","queues"]}`: re-read what `changed` names. */
export function supervisorChangeMessage(changed: readonly SupervisedView[]) {
  return { messageType: "SupervisorChange", changed: [...changed].sort() };
}

/** Where supervisors and administrators get every queue's statistics pushed (/api/v2/notifications). */
export const QUEUES_CHANNEL = "/v2/queues";

/**
 * A queue as supervisors and admins see it in `GET /api/v2/queues`, `GET /api/v2/queues/{name}/statistics`
 * and on `/v2/queues`: its standing, the thresholds its service level is counted against, its statistics.
 */
export function supervisedQueue(view: QueueView, policy: QueuePolicy) {
  return {
    name: view.queue.name,
    skills: view.queue.skills,
    waiting: view.waiting,
    longestWaitSeconds: view.longestWaitSeconds,
    agents: view.agents,
    serviceLevelSeconds: policy.serviceLevelSeconds,
    shortAbandonSeconds: policy.shortAbandonSeconds,
    maxWaiting: policy.maxWaiting,
    statistics: view.statistics,
    // How many waiting have reached an overflow step (domain/overflow.ts).
    overflowed: view.overflowed,
  };
}

/** `{"messageType":"QueueStatistics","queues":[...]}` on `/v2/queues`: every queue, as `GET /api/v2/queues` shows it to supervisors. */
export function queueStatisticsMessage(queues: readonly ReturnType<typeof supervisedQueue>[]) {
  return { messageType: "QueueStatistics", queues };
}

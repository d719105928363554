/**
 * The CometD messages actions push to agents (reference C.6), built in one place so the REST
 * presenters and the notifications cannot drift apart.
 */
import { viewState, type AgentInteraction, type NotificationType, type ViewState } from "../domain/agent-interactions.ts";
import type { ChannelState } from "../domain/agent-state.ts";

/** A channel as GWS presents it: `{channel, userState: {id, state, displayName, reason?}}`. */
export function presentChannel(s: ChannelState) {
  const userState: Record<string, unknown> = { id: s.state, state: s.state, displayName: s.state === "Ready" ? "Ready" : "Not Ready" };
  if (s.reason !== null) userState.reason = s.reason;
  return { channel: s.channel, userState };
}

export function channelStateMessage(states: readonly ChannelState[]) {
  return {
    messageType: "ChannelStateChangeMessageV2",
    messageTypeName: "ChannelStateChangeMessageV2",
    channels: states.map(presentChannel),
  };
}

/**
 * An interaction as the agent API presents it, from `viewer`'s standpoint (REST with
 * `fields=*` and every notification show the same object).
 */
export function presentWork(ix: AgentInteraction, viewer: string | null, base: string, state?: ViewState) {
  return {
    id: ix.id,
    mediaType: ix.mediaType,
    state: state ?? (viewer === null ? ix.state : viewState(ix, viewer)),
    queue: ix.queue,
    ownerId: ix.ownerId,
    participants: [...(ix.ownerId === null ? [] : [ix.ownerId]), ...ix.conference],
    workbin: ix.workbin,
    customerId: ix.customerId,
    properties: ix.properties,
    userData: ix.properties,
    receivedDate: new Date(ix.createdAt).toISOString(),
    path: `/interactions/${ix.id}`,
    uri: `${base}/interactions/${ix.id}`,
  };
}

/** `InteractionStateMessage` on `/v2/me/interactions` (spec decision 6). */
export function interactionMessage(ix: AgentInteraction, viewer: string, notificationType: NotificationType, base: string, state?: ViewState) {
  const interaction = presentWork(ix, viewer, base, state);
  return {
    messageType: "InteractionStateMessage",
    messageTypeName: "InteractionStateMessage",
    notificationType,
    id: ix.id,
    state: interaction.state,
    interaction,
  };
}

/**
 * The CometD messages actions push to agents (reference C.6), built in one place so the REST
 * presenters and the notifications cannot drift apart.
 */
import { viewState, type AgentInteraction, type NotificationType, type ViewState } from "../domain/agent-interactions.ts";
import type { ChannelState } from "../domain/agent-state.ts";
import type { JsonObject } from "../domain/json.ts";

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
    receivedDate: new Date(ix.createdAt).toISOString(),
    path: `/interactions/${ix.id}`,
    uri: `${base}/interactions/${ix.id}`,
  };
}

/** What every `InteractionStateMessage` starts with: its type, and the interaction's id and state for this agent. */
export function interactionHeader(ix: AgentInteraction, viewer: string, notificationType: NotificationType | "NewMessages", state?: ViewState) {
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

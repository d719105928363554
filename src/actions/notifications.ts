/**
 * The CometD messages actions push to agents (reference C.6), built in one place so the REST
 * presenters and the notifications cannot drift apart.
 */
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

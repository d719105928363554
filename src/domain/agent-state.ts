/**
 * An agent's state per channel (GWS `userState`): Ready to be offered interactions of that
 * media, or NotReady (with a reason). Pure rules.
 */
import { invalidInput } from "./errors.ts";
import { CHANNELS, type Channel } from "./users.ts";

export type AgentState = "Ready" | "NotReady";

export interface ChannelState {
  channel: Channel;
  state: AgentState;
  reason: string | null;
  /** When it last changed (epoch ms); 0 when it never did. */
  changedAt: number;
}

/** The reason given when parley itself makes an agent NotReady (their desktop went away). */
export const PRESENCE_LOST = "Disconnected";
/** The reason when the agent leaves the contact center (GWS `EndContactCenterSession`). */
export const LOGGED_OUT = "LoggedOut";
/** The reason when an administrator disables the agent's user. */
export const USER_DISABLED = "Disabled";

export function parseChannel(value: string): Channel {
  if (!(CHANNELS as readonly string[]).includes(value)) throw invalidInput(`channel: ${value} is not one of ${CHANNELS.join(", ")}`);
  return value as Channel;
}

/** `operationName` of a channel (or all-channel) state change: Ready, or NotReady with a reason. */
export function parseStateOperation(operationName: string, reason: string | undefined): { state: AgentState; reason: string | null } {
  if (operationName === "Ready") return { state: "Ready", reason: null };
  if (operationName === "NotReady") return { state: "NotReady", reason: reason ?? null };
  throw invalidInput(`operationName: ${operationName} is not Ready or NotReady`);
}

/** Every channel's state, NotReady where nothing was ever set. */
export function allChannels(known: readonly ChannelState[]): ChannelState[] {
  return CHANNELS.map((channel) => known.find((s) => s.channel === channel) ?? { channel, state: "NotReady", reason: null, changedAt: 0 });
}

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

/**
 * An agent-state operation (GWS `GET /api/v2/settings/agent-states`): a name a desktop sends as
 * `operationName`, the state it sets and the reason that goes with it. Desktops fill their
 * Not Ready menus from the list.
 */
export interface AgentStateOperation {
  operationName: string;
  displayName: string;
  state: AgentState;
  reason: string | null;
}

/** Always there, whatever the configuration adds. */
const BUILT_IN_STATES: readonly AgentStateOperation[] = [
  { operationName: "Ready", displayName: "Ready", state: "Ready", reason: null },
  { operationName: "NotReady", displayName: "Not Ready", state: "NotReady", reason: null },
];

/** The Not Ready reasons a contact center starts with (the config file's `agentStates` replaces them). */
export const DEFAULT_AGENT_STATES: readonly AgentStateOperation[] = [
  { operationName: "Break", displayName: "Break", state: "NotReady", reason: "Break" },
  { operationName: "OutToLunch", displayName: "Lunch", state: "NotReady", reason: "Lunch" },
  { operationName: "Meeting", displayName: "Meeting", state: "NotReady", reason: "Meeting" },
  { operationName: "Training", displayName: "Training", state: "NotReady", reason: "Training" },
  { operationName: "AfterCallWork", displayName: "After call work", state: "NotReady", reason: "AfterCallWork" },
];

/** Ready and NotReady, then the configured operations (one named Ready or NotReady replaces the built-in one). */
export function agentStateOperations(configured: readonly AgentStateOperation[]): AgentStateOperation[] {
  const names = new Set(configured.map((o) => o.operationName));
  return [...BUILT_IN_STATES.filter((o) => !names.has(o.operationName)), ...configured];
}

/**
 * `operationName` of a channel (or all-channel) state change: Ready, NotReady with the reason
 * given, or one of `operations` (its own reason unless the request gives one).
 */
export function parseStateOperation(
  operationName: string,
  reason: string | undefined,
  operations: readonly AgentStateOperation[] = BUILT_IN_STATES,
): { state: AgentState; reason: string | null } {
  const operation = operations.find((o) => o.operationName === operationName) ?? BUILT_IN_STATES.find((o) => o.operationName === operationName);
  if (operation === undefined)
    throw invalidInput(`operationName: ${operationName} is not Ready, NotReady or an operation of GET /api/v2/settings/agent-states`);
  if (operation.state === "Ready") return { state: "Ready", reason: null };
  return { state: "NotReady", reason: reason ?? operation.reason };
}

/** Every channel's state, NotReady where nothing was ever set. */
export function allChannels(known: readonly ChannelState[]): ChannelState[] {
  return CHANNELS.map((channel) => known.find((s) => s.channel === channel) ?? { channel, state: "NotReady", reason: null, changedAt: 0 });
}

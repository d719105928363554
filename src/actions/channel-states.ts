/**
 * An agent's channel states as they are reported (the stored state, AfterCallWork where a wrap-up
 * holds a channel they had Ready), and the one way they change inside a transaction: every writer
 * of channel states or wrap-ups runs its writes through `changeReported`, so the state log follows
 * each channel whose reported state moved (its open row closed, the next opened, at `now`).
 */
import { stateTransitions } from "../domain/agent-statistics.ts";
import { allChannels } from "../domain/agent-state.ts";
import { reportChannels, type ReportedChannel } from "../domain/wrap-up.ts";
import type { Store } from "../store/store.ts";

/** Every channel of the agent as reported now. */
export async function reportedChannels(store: Store, userId: string): Promise<ReportedChannel[]> {
  const states = await store.agentChannels.list(userId);
  return reportChannels(allChannels(states), await store.wrapUps.of(userId));
}

/**
 * Runs `writes` (channel states, wrap-ups) in `tx` and logs what they moved. The agent's channel
 * rows are locked first (PostgreSQL, in one order), so two changes of one agent, a sweep's and
 * their own, read and log one after the other. Returns the reported states after, and whether
 * any moved (what the agent's desktops are told).
 */
export async function changeReported(
  tx: Store,
  userId: string,
  now: number,
  writes: () => Promise<void>,
): Promise<{ states: ReportedChannel[]; moved: boolean }> {
  await tx.agentChannels.lock(userId);
  const before = await reportedChannels(tx, userId);
  await writes();
  const states = await reportedChannels(tx, userId);
  const moved = stateTransitions(before, states);
  for (const entry of moved) await tx.agentStateLog.enter(userId, entry, now);
  return { states, moved: moved.length > 0 };
}

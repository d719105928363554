/**
 * Keeps this node's agents present and finds those of nodes that died (issue 20). Every third of
 * AGENT_PRESENCE_TTL_MS a sweep renews the presence of every agent with a CometD client here,
 * then makes absent the agents whose presence nobody renewed, then releases the work of those
 * absent longer than AGENT_ORPHAN_GRACE_MS. An agent's handshake here renews them at once, so one
 * who resumes on this node after theirs died is present before the next sweep.
 */
import { forgetPresence, markAbsentAgents, releaseAbsentAgents, renewPresence } from "../actions/agent-presence.ts";
import type { ActionContext } from "../actions/context.ts";
import { renewalInterval } from "../domain/agent-presence.ts";
import type { Logger } from "../logger.ts";
import { serialSweeps } from "./sweeps.ts";

export interface PresenceOptions {
  /** This node (its Bayeux engine's id): the rows it renews name it. */
  nodeId: string;
  ttlMs: number;
  graceMs: number;
}

/** The agents with a CometD client on this node. */
export interface LocalAgents {
  identities(): string[];
  has(userId: string): boolean;
}

export interface PresenceWorker {
  /** An agent handshook on this node: present at once. */
  arrived(userId: string): void;
  /** An agent's last client on this node left normally: their presence is removed (not left to expire). */
  departed(userId: string): Promise<void>;
  /** Runs a sweep that starts after this call (after the one under way, if any); the timer does the same. */
  sweep(): Promise<void>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function startPresence(ctx: ActionContext, options: PresenceOptions, agents: LocalAgents, logger: Logger): PresenceWorker {
  let stopped = false;
  const sweeps = serialSweeps(() => runOnce(ctx, options, agents, logger), renewalInterval(options.ttlMs));
  return {
    arrived(userId) {
      if (stopped) return;
      renewPresence(ctx, [userId], options.nodeId, options.ttlMs).catch((err: unknown) =>
        logger.error({ err }, "could not renew an arriving agent's presence"),
      );
    },
    departed: (userId) => forgetPresence(ctx, userId, options.nodeId),
    sweep: () => sweeps.sweep(),
    async stop() {
      stopped = true;
      await sweeps.stop();
    },
  };
}

async function runOnce(ctx: ActionContext, options: PresenceOptions, agents: LocalAgents, logger: Logger): Promise<void> {
  try {
    await renewPresence(ctx, agents.identities(), options.nodeId, options.ttlMs);
    const absent = await markAbsentAgents(ctx, (userId) => agents.has(userId));
    const released = await releaseAbsentAgents(ctx, options.graceMs);
    if (absent > 0 || released > 0) logger.info({ absentAgents: absent, interactionsReleased: released }, "agent presence");
  } catch (err) {
    logger.error({ err }, "agent presence sweep failed");
  }
}

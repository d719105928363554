/**
 * What a change tells, once it is durable. An action runs its transaction through `commit`: the
 * transaction collects what it will announce (agent notifications, chat pushes, a routing pass,
 * ended sessions) in the `Announcements` it is given, and `commit` publishes them only after the
 * store's commit resolved, in the order they were announced. Nobody is told about a change that
 * did not happen, and what a committed change announces is never forgotten (Zulip's `on_commit`,
 * Outline's event bus).
 *
 * SQLite's group commit may run a transaction's work again (when another unit of its batch
 * failed), so each run starts with empty announcements: only the run that committed is published.
 */
import type { AgentInteraction, NotificationType, Outcome } from "../domain/agent-interactions.ts";
import { queueEvents, type QueueEvent } from "../domain/queue-statistics.ts";
import type { Store } from "../store/store.ts";
import type { ReportedChannel } from "../domain/wrap-up.ts";
import { channelStateMessage, interactionMessage, type SupervisedView } from "../wire/agent-api.ts";
import { CHATS_CHANNEL, chatStateMessage } from "../wire/agent-chats.ts";
import { publishChatUpdate, sendToFeed, type ChatUpdate } from "./chat-delivery.ts";
import type { ActionContext } from "./context.ts";

type Announcement =
  | { kind: "outcome"; outcome: Outcome }
  | { kind: "chat"; update: ChatUpdate }
  | { kind: "deliver"; endpoint: "agent" | "customer"; identity: string; channel: string; data: unknown }
  | { kind: "channels"; identity: string; states: readonly ReportedChannel[] }
  | { kind: "revoke"; identity: string }
  | { kind: "route" }
  | { kind: "agents"; identities: readonly string[] }
  | { kind: "supervised"; changed: SupervisedView[] }
  | { kind: "measured"; events: QueueEvent[] };

/** What one run of a transaction will announce if it commits. */
export class Announcements {
  private readonly items: Announcement[] = [];

  /** An agent operation's notices to each agent, and a routing pass if capacity moved. */
  outcome(outcome: Outcome): void {
    this.items.push({ kind: "outcome", outcome });
  }

  /**
   * An interaction was created (`before` null) or changed: what that did to its queue's figures
   * (offered, answered, abandoned, handled) is counted into /metrics once committed, on this node.
   */
  measured(before: AgentInteraction | null, after: AgentInteraction): void {
    const events = queueEvents(before, after);
    if (events.length > 0) this.items.push({ kind: "measured", events });
  }

  /** New transcript entries to the customer and the agents in the chat (none: nothing to tell). */
  chat(update: ChatUpdate | null): void {
    if (update !== null) this.items.push({ kind: "chat", update });
  }

  /** The chat updates announced so far, in order (what the commit feed carries). */
  chatUpdates(): ChatUpdate[] {
    return this.items.flatMap((item) => (item.kind === "chat" ? [item.update] : []));
  }

  /** One CometD message to every client of `identity` on `endpoint`. */
  deliver(endpoint: "agent" | "customer", identity: string, channel: string, data: unknown): void {
    this.items.push({ kind: "deliver", endpoint, identity, channel, data });
  }

  /** An agent's channel states changed: the agent's desktops are told (ChannelStateChangeMessageV2), and supervisors. */
  channels(identity: string, states: readonly ReportedChannel[]): void {
    this.items.push({ kind: "channels", identity, states });
  }

  /** Something supervisors watch changed that nothing else here announces (a queue or a user created, changed). */
  supervised(...changed: SupervisedView[]): void {
    this.items.push({ kind: "supervised", changed });
  }

  /** An agent's credentials no longer hold: their CometD clients end on every node. */
  revokeAgent(identity: string): void {
    this.items.push({ kind: "revoke", identity });
  }

  /** Users routing may offer to changed (skills, capacity, roles, enabled, gone): routing reads them again. */
  agentsChanged(...identities: string[]): void {
    this.items.push({ kind: "agents", identities });
  }

  /** Work was queued or capacity freed: a routing pass soon. */
  route(): void {
    this.items.push({ kind: "route" });
  }

  /**
   * Publishes everything, in order; called by `commit` once the change is durable. One that
   * fails is logged and the rest still go: the change is committed, and its caller is answered.
   * Supervisors are then told which of their views it changed (coalesced: supervisor-changes.ts).
   */
  publish(ctx: ActionContext): void {
    // Routing reads the agents this moved before it next chooses (a pass this publishes included).
    ctx.routing.view.changed(agentsMoved(this.items));
    const changed = new Set<SupervisedView>();
    for (const item of this.items) {
      for (const view of SUPERVISED_BY[item.kind]) changed.add(view);
      if (item.kind === "supervised") for (const view of item.changed) changed.add(view);
      try {
        publishOne(ctx, item);
      } catch (err) {
        ctx.logger.error({ err, announcement: item.kind }, "could not publish what a committed change announced");
      }
    }
    if (changed.size > 0) ctx.supervision.note(changed);
  }
}

/** Agents whose state, load or idle time the announced changes may have moved. */
function agentsMoved(items: readonly Announcement[]): Set<string> {
  const agents = new Set<string>();
  for (const item of items) {
    if (item.kind === "outcome") for (const notice of item.outcome.notices) agents.add(notice.agentId);
    else if (item.kind === "channels" || item.kind === "revoke") agents.add(item.identity);
    else if (item.kind === "agents") for (const id of item.identities) agents.add(id);
  }
  return agents;
}

/**
 * What each kind of announcement changes in a supervisor's views: an interaction's step moves
 * queues and agents' loads; a routing pass is asked for when work was queued or capacity freed;
 * channel states and revoked users are agents'. Chat messages and pushes change neither.
 */
const SUPERVISED_BY: Record<Announcement["kind"], readonly SupervisedView[]> = {
  outcome: ["agents", "queues"],
  chat: [],
  deliver: [],
  channels: ["agents", "queues"],
  revoke: ["agents"],
  route: ["queues"],
  agents: [],
  supervised: [],
  // The outcome or the route that came with it told supervisors already.
  measured: [],
};

function publishOne(ctx: ActionContext, item: Announcement): void {
  switch (item.kind) {
    case "outcome":
      publishOutcome(ctx, item.outcome);
      break;
    case "chat":
      // Tied to the commit, the feed's listeners push it (chat-delivery.ts); else it goes now.
      if (!ctx.chatFeed) publishChatUpdate(ctx, item.update).catch((err: unknown) => logPushFailure(ctx, err, item.update));
      break;
    case "deliver":
      ctx.notifier.deliver(item.endpoint, item.identity, item.channel, item.data);
      break;
    case "channels":
      ctx.notifier.deliver("agent", item.identity, "/v2/me/channels", channelStateMessage(item.states));
      break;
    case "revoke":
      ctx.notifier.revoke("agent", item.identity);
      break;
    case "supervised":
    case "agents":
      break;
    case "measured":
      ctx.queueMeter.record(item.events);
      break;
    case "route":
      ctx.routing.kick();
      break;
  }
}

/** Runs `work` in one transaction and publishes what it announced after the commit; returns its value. */
export async function commit<T>(ctx: ActionContext, work: (tx: Store, announce: Announcements) => Promise<T>): Promise<T> {
  const { value, announced } = await ctx.store.transaction(async (tx) => {
    const announced = new Announcements();
    const value = await work(tx, announced);
    if (ctx.chatFeed) await sendToFeed(tx, announced.chatUpdates());
    return { value, announced };
  });
  announced.publish(ctx);
  return value;
}

/** Sends each notice to its agent, then asks for routing if capacity moved. */
function publishOutcome(ctx: ActionContext, outcome: Outcome): void {
  for (const notice of outcome.notices) {
    const message = interactionMessage(outcome.next, notice.agentId, notice.notificationType, ctx.agentApiBase, {
      state: notice.state,
      changedProperties: outcome.changedProperties,
    });
    ctx.notifier.deliver("agent", notice.agentId, "/v2/me/interactions", message);
    // A chat is told on the GA chat API's channel too, so a desktop on either API sees it.
    const gaType = outcome.next.mediaType === "chat" ? GA_CHAT_NOTICES[notice.notificationType] : null;
    if (gaType !== null) {
      const gaMessage = chatStateMessage(outcome.next, notice.agentId, gaType, ctx.agentApiBase, notice.state);
      ctx.notifier.deliver("agent", notice.agentId, CHATS_CHANNEL, gaMessage);
    }
  }
  if (outcome.reroute) ctx.routing.kick();
}

/** Each interactions-API notice as the GA chat API tells it (a workbin listing is the interactions API's alone). */
const GA_CHAT_NOTICES: Record<NotificationType, "StatusChange" | "PropertiesUpdated" | null> = {
  NewInteraction: "StatusChange",
  StatusChange: "StatusChange",
  PropertiesUpdated: "PropertiesUpdated",
  WorkbinContent: null,
};

function logPushFailure(ctx: ActionContext, err: unknown, update: ChatUpdate): void {
  ctx.logger.error({ err, interactionId: update.interaction?.id }, "could not send the transcript to agents who joined the chat");
}

/**
 * How a committed chat change reaches the customer and the agents in the chat: the pushes
 * themselves (both agent APIs' channels, the v1 customer's `/_genesys`, the v2 chat's topic),
 * and where they are made.
 *
 * One node (SQLite, or PostgreSQL without a shared bus): the node that committed pushes at once
 * through the notifier. Several nodes on PostgreSQL: delivery is tied to the commit. The
 * transaction that appends entries also sends a short reference to them on the store's commit
 * feed (PostgreSQL NOTIFY, sent by the database when, and only if, it commits), and every node,
 * the one that committed included, pushes to its own clients from the transcript when the
 * reference arrives. So a node dying between its commit and its reply loses no push, and every
 * client sees each chat's entries in one order: the order of the commits, which is the order of
 * the positions (they are taken under the chat's row lock).
 */
import type { AgentInteraction } from "../domain/agent-interactions.ts";
import { chatAgents, hasChat, pageBy, type ChatService, type OpenChatService, type TranscriptEntry } from "../domain/chat.ts";
import type { Store } from "../store/store.ts";
import { agentEntry, newMessagesMessage } from "../wire/agent-api.ts";
import { CHATS_CHANNEL, messageLogMessage } from "../wire/agent-chats.ts";
import { chatObject, customerPush, refreshTag, type Origin } from "../wire/chat-v1.ts";
import { chatTopic, chatV2Channel, entryPushes } from "../wire/chat-v2.ts";
import type { ActionContext } from "./context.ts";

/** What to tell whom once a transaction that changed a chat has committed. */
export interface ChatUpdate {
  service: OpenChatService;
  interaction: AgentInteraction | null;
  /** New entries, in order. */
  entries: TranscriptEntry[];
  /** The customer's push is verbose (the call that caused it asked for `_verbose`). */
  verbose: boolean;
  /** Agents who just joined: they get the whole transcript, not only the new entries. */
  joined: string[];
  origin: Origin | null;
}

/** Where pushes go: to clients on every node (the notifier), or to this node's clients only (a commit feed's listener). */
export interface ChatPushes {
  deliver(endpoint: "agent" | "customer", identity: string, channel: string, data: unknown): void;
  deliverToTopic(endpoint: "customer", topic: string, channel: string, data: unknown): void;
}

/** The Chat API's own base, for pushes no request caused (sweeps, agents' messages): no host or port to show. */
export function unrequestedOrigin(ctx: ActionContext): Origin {
  return { base: ctx.chat.serviceBase, host: "", port: "", tls: false };
}

/**
 * Tells the customer (CometD mode) and the agents in the chat. Resolves once agents who joined
 * have been sent the whole transcript (a read), so a caller pushing in order can wait for it.
 */
export async function publishChatUpdate(ctx: ActionContext, update: ChatUpdate, pushes: ChatPushes = ctx.notifier): Promise<void> {
  const { service, entries } = update;
  const chat = service.chat;
  if (entries.length === 0) return;
  if (chat.api === 2) {
    const topic = chatTopic(chat.interactionId);
    for (const push of entryPushes(service, entries)) pushes.deliverToTopic("customer", topic, chatV2Channel(service.name), push);
  } else if (chat.notifyBy === "comet" && service.gmsUser !== null) {
    const origin = update.origin ?? unrequestedOrigin(ctx);
    const message = chatObject(service, "TRANSCRIPT", entries, update.verbose, origin);
    pushes.deliver("customer", service.gmsUser, "/_genesys", customerPush(refreshTag(service.id), message));
  }
  const ix = update.interaction;
  if (ix === null) return;
  const stayed = chatAgents(ix).filter((agentId) => !update.joined.includes(agentId));
  deliverEntries(ctx, pushes, ix, stayed, entries);
  // Up to this update's last entry: what comes after it comes with its own update.
  const through = entries[entries.length - 1]?.position;
  if (update.joined.length > 0) await sendWholeTranscript(ctx, ix, service, update.joined, pushes, through);
}

/** Largest whole-transcript notification: a long chat goes out in pages of about this many bytes. */
export const TRANSCRIPT_PAGE_BYTES = 64 * 1024;

/**
 * Agents who join a chat (accept, transfer, conference) see all of it, not only what comes next:
 * in `NewMessages` pages of at most TRANSCRIPT_PAGE_BYTES (an entry larger than that alone), so
 * no single message grows with the chat. RequestChatHistory sends it again, and so does an
 * agent's new handshake (to that client alone).
 */
export async function sendWholeTranscript(
  ctx: ActionContext,
  ix: AgentInteraction,
  service: ChatService,
  agents: readonly string[],
  pushes: ChatPushes = ctx.notifier,
  through = Number.POSITIVE_INFINITY,
): Promise<void> {
  for (const page of await transcriptPages(ctx, service, through)) deliverEntries(ctx, pushes, ix, agents, page);
}

/** A chat's transcript up to position `through`, in pages of at most TRANSCRIPT_PAGE_BYTES as agents receive it. */
async function transcriptPages(ctx: ActionContext, service: ChatService, through: number): Promise<TranscriptEntry[][]> {
  if (service.chat === null) return [];
  // Notices that always go in (joined, left) may take a transcript past its entry limit.
  const entries = await ctx.store.chats.transcript(service.chat.interactionId, 1, ctx.chat.maxTranscriptEntries + 1000);
  const upTo = entries.filter((e) => e.position <= through);
  return pageBy(upTo, (e) => Buffer.byteLength(JSON.stringify(agentEntry(e))), TRANSCRIPT_PAGE_BYTES);
}

/**
 * New entries to the agents in a chat, on both APIs' channels: the interactions API's message
 * names each agent's own state, the GA chat API's is the same for all of them (built once).
 */
function deliverEntries(ctx: ActionContext, pushes: ChatPushes, ix: AgentInteraction, agentIds: readonly string[], entries: readonly TranscriptEntry[]): void {
  if (agentIds.length === 0) return;
  const log = messageLogMessage(ix, entries, ctx.agentApiBase);
  for (const agentId of agentIds) {
    pushes.deliver("agent", agentId, "/v2/me/interactions", newMessagesMessage(ix, agentId, entries));
    pushes.deliver("agent", agentId, CHATS_CHANNEL, log);
  }
}

// ----- the commit feed (several nodes on PostgreSQL) -----

/**
 * What the commit feed carries for one chat update: who may be interested (so a node with none
 * of them connected reads nothing) and where the rest is (so the reference stays far below
 * NOTIFY's 8000 bytes whatever the messages hold).
 */
interface FeedReference {
  kind: "chat";
  serviceId: string;
  /** The interaction whose agents are told; null when the update told the customer only. */
  interactionId: string | null;
  /** Positions of the new entries, first and last. */
  from: number;
  to: number;
  verbose: boolean;
  joined: string[];
  origin: Origin | null;
  /** Who is pushed to: the v1 customer's gms_user (null otherwise), the v2 chat's topic (null otherwise), the agents. */
  customer: string | null;
  topic: string | null;
  agents: string[];
}

/** Inside the appending transaction: a reference to each update's entries on the commit feed, sent if it commits. */
export async function sendToFeed(tx: Store, updates: readonly ChatUpdate[]): Promise<void> {
  for (const update of updates) {
    if (update.entries.length === 0) continue;
    await tx.feed.send(JSON.stringify(feedReference(update)));
  }
}

function feedReference(update: ChatUpdate): FeedReference {
  const { service, entries, interaction } = update;
  const chat = service.chat;
  const positions = entries.map((e) => e.position);
  return {
    kind: "chat",
    serviceId: service.id,
    interactionId: interaction?.id ?? null,
    from: Math.min(...positions),
    to: Math.max(...positions),
    verbose: update.verbose,
    joined: update.joined,
    origin: update.origin,
    customer: chat.api !== 2 && chat.notifyBy === "comet" ? service.gmsUser : null,
    topic: chat.api === 2 ? chatTopic(chat.interactionId) : null,
    agents: interaction === null ? [] : [...new Set([...chatAgents(interaction), ...update.joined])],
  };
}

/** Which clients this node holds: a listener reads nothing for a chat none of whose parties is connected here. */
export interface LocalClients {
  hasClient(endpoint: string, identity: string): boolean;
  hasTopic(endpoint: string, topic: string): boolean;
}

/**
 * Pushes each chat update the commit feed announces to this node's clients, from the
 * transcript: one chat's updates strictly in the order they arrive (a chain per chat), chats
 * independently. Returns the handler to give the feed.
 */
export function chatFeedListener(ctx: ActionContext, local: LocalClients & ChatPushes): (payload: string) => void {
  const chains = new Map<string, Promise<void>>();
  return (payload) => {
    const ref = parseReference(payload);
    if (ref === null || !concernsThisNode(ref, local)) return;
    const before = chains.get(ref.serviceId) ?? Promise.resolve();
    const next = before
      .then(() => pushFromTranscript(ctx, ref, local))
      .catch((err: unknown) => ctx.logger.error({ err, serviceId: ref.serviceId }, "could not push a committed chat update"))
      .finally(() => {
        if (chains.get(ref.serviceId) === next) chains.delete(ref.serviceId);
      });
    chains.set(ref.serviceId, next);
  };
}

function concernsThisNode(ref: FeedReference, local: LocalClients): boolean {
  if (ref.customer !== null && local.hasClient("customer", ref.customer)) return true;
  if (ref.topic !== null && local.hasTopic("customer", ref.topic)) return true;
  return ref.agents.some((agentId) => local.hasClient("agent", agentId));
}

async function pushFromTranscript(ctx: ActionContext, ref: FeedReference, pushes: ChatPushes): Promise<void> {
  const service = await ctx.store.chats.get(ref.serviceId);
  if (service === null || !hasChat(service)) return;
  const [entries, interaction] = await Promise.all([
    ctx.store.chats.transcript(service.chat.interactionId, ref.from, ref.to - ref.from + 1),
    ref.interactionId === null ? null : ctx.store.agentInteractions.get(ref.interactionId),
  ]);
  const update: ChatUpdate = { service, interaction, entries, verbose: ref.verbose, joined: ref.joined, origin: ref.origin };
  await publishChatUpdate(ctx, update, pushes);
}

/** The feed's payloads are parley's own, written by a node of this cluster; anything else is ignored. */
function parseReference(payload: string): FeedReference | null {
  try {
    const ref = JSON.parse(payload) as Partial<FeedReference> | null;
    if (ref?.kind !== "chat" || typeof ref.serviceId !== "string" || typeof ref.from !== "number" || typeof ref.to !== "number") return null;
    return ref as FeedReference;
  } catch {
    return null;
  }
}

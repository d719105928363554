/** What every action receives: the store, the clock and the Context Services options. */
import type { FileStore } from "../files/file-store.ts";
import type { ChatAllowance } from "../access/chat-allowance.ts";
import type { ChatServiceConfig, PushSettings } from "../config-file.ts";
import type { AgentStateOperation } from "../domain/agent-state.ts";
import type { Device } from "../domain/chat.ts";
import type { DataLimits } from "../domain/chat-input.ts";
import type { BusinessAttribute } from "../domain/metadata.ts";
import type { Logger } from "../logger.ts";
import type { LastAgentRule } from "../domain/last-agent.ts";
import type { QueuePolicy } from "../domain/queue-policy.ts";
import type { RoutingView } from "./routing-view.ts";
import type { QueueEvent } from "../domain/queue-statistics.ts";
import type { Role } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import type { SupervisedView } from "../wire/agent-api.ts";

interface ContextServicesOptions {
  /** Business attributes of the config file: they check the fields they type, and /metadata shows them. */
  businessAttributes: readonly BusinessAttribute[];
  autoCompleteEnabled: boolean;
  autoCompleteAfterSeconds: number | null;
  expirationSeconds: number;
}

export interface ActionContext {
  store: Store;
  /** Epoch milliseconds; injected so tests can move time instead of waiting. */
  now: () => number;
  cs: ContextServicesOptions;
  /** Largest response an action may build, bytes (RESPONSE_LIMIT_BYTES); lists check before loading. */
  responseLimitBytes: number;
  /** Pushes to CometD clients on every node; called only after the change is committed. */
  notifier: Notifier;
  /**
   * Chat entries are pushed from the commit feed by every node (several nodes on PostgreSQL:
   * actions/chat-delivery.ts), not by the node that committed them.
   */
  chatFeed: boolean;
  /** Tells supervisors (coalesced) that a view of theirs changed; after-commit.ts calls it, once a change is committed. */
  supervision: Supervision;
  /** Counts committed queue events into this node's /metrics (metrics.ts); after-commit.ts calls it. */
  queueMeter: QueueMeter;
  routing: RoutingControl;
  /** Ready, NotReady and the configured agent-state operations (GET /api/v2/settings/agent-states). */
  agentStates: readonly AgentStateOperation[];
  /** The agent API's base URL for `uri` fields in notifications (PUBLIC_URL + /api/v2, or relative). */
  agentApiBase: string;
  /** Attached data of one interaction, bytes (INTERACTION_MAX_DATA_BYTES). */
  interactionMaxDataBytes: number;
  /** Contact history is deleted this long after it started, milliseconds; null: kept (CS_HISTORY_RETENTION). */
  historyRetentionMs: number | null;
  chat: ChatOptions;
  /** Native (or CometD, or logged) push notifications to customers' devices. */
  push: PushPort;
  /** "Today" in statistics starts at midnight in this IANA time zone (STATISTICS_TIME_ZONE). */
  statisticsTimeZone: string;
  /** For work that goes on after a reply (pushes after a commit): its failures are logged, never lost. */
  logger: Logger;
}

interface ChatOptions {
  /** Configured chat services by name. */
  services: ReadonlyMap<string, ChatServiceConfig>;
  customerTimeoutMs: number;
  maxMessageChars: number;
  maxTranscriptEntries: number;
  /** Bytes of text and nicknames one transcript may hold. */
  maxTranscriptBytes: number;
  /** Longest name, email, subject or nickname a customer gives, characters. */
  maxFieldChars: number;
  /** What a customer may attach as business data. */
  data: DataLimits;
  /** A service that has not opened its chat lives this long after its last request, milliseconds. */
  unusedServiceTtlMs: number;
  /** Rates and counts per client address and gms_user. */
  allowance: ChatAllowance;
  /** Link history to the profile a client names (customer_id, email) without a verified token. */
  trustClientIdentity: boolean;
  /** `/<app>/1/service`: the base of every Chat API URL clients are given. */
  serviceBase: string;
  /** Chat API v2 files: their limits, and where their bytes are kept. */
  files: FileLimits & { store: FileStore };
}

/** What customers may attach to a v2 chat (CHAT_V2_FILE_*). */
export interface FileLimits {
  maxBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
  /** Bytes of files kept for the chats of one client address (CHAT_V2_FILE_MAX_BYTES_PER_IP). */
  maxBytesPerAddress: number;
  downloads: number;
  /** Allowed extensions, lower case. */
  types: readonly string[];
  needAgent: boolean;
}

/** Whom a push notification is for. */
export interface PushTarget {
  serviceId: string;
  gmsUser: string | null;
  device: Device | null;
}

export interface PushNotification {
  /** `poke` (internal-poke) or `chat` (agent messages while the app is in the background). */
  action: "poke" | "chat";
  message: string;
  /** Chat pushes: the new agent entries, as `{"Message.Text": "..."}` (GMS's payload). */
  lastTranscript?: Record<string, string>[];
}

export interface PushPort {
  /**
   * Hands it over to be sent with the service's settings and returns at once; false when too many
   * wait to be sent, and it was dropped. Never throws: failed deliveries are logged.
   */
  send(settings: PushSettings, target: PushTarget, notification: PushNotification): boolean;
  /** Whether this provider can reach the target at all (comet needs a gms_user, the others a device). */
  canReach(settings: PushSettings, target: PushTarget): boolean;
}

interface RoutingControl {
  /** How long a routing offer waits for Accept or Reject (ROUTING_OFFER_TIMEOUT_MS). */
  offerTimeoutMs: number;
  /** Roles whose users routing offers work to (ROUTING_ROLES). */
  roles: readonly Role[];
  /** How a queue is run (the config file's `queues[]`; the default for any other). */
  policy(queue: string): QueuePolicy;
  /** This node's view of the Ready agents, which routing chooses from (routing-view.ts). */
  view: RoutingView;
  /** Last-agent routing (LAST_AGENT_WINDOW_SECONDS, LAST_AGENT_WAIT_SECONDS). */
  lastAgent: LastAgentRule;
  /** Asks for a routing pass soon (capacity freed, work queued); passes never overlap. */
  kick(): void;
}

/** The Bayeux engine as actions see it. */
export interface Notifier {
  /** Sends `data` on `channel` to every client of `identity` on `endpoint` ("customer" or "agent"). */
  deliver(endpoint: string, identity: string, channel: string, data: unknown): void;
  /**
   * Ends every client of `identity` on `endpoint`, on every node (its credentials no longer
   * hold): sessions are forgotten and sockets bound to it closed. With `credentials` (a logout:
   * hashes of what one request authenticated with), only the sockets opened with them.
   */
  revoke(endpoint: string, identity: string, credentials?: readonly string[]): void;
  /** Sends `data` on `channel` to every client subscribed to it on `endpoint`, on every node. */
  publish(endpoint: string, channel: string, data: unknown): void;
  /** Sends `data` on `channel` to every client that joined `topic` (a Chat API v2 chat it used), on every node. */
  deliverToTopic(endpoint: string, topic: string, channel: string, data: unknown): void;
}

/** This node's queue counters and histograms (per-node Prometheus semantics). */
interface QueueMeter {
  record(events: readonly QueueEvent[]): void;
}

/** What supervisors are told changed (see supervisor-changes.ts). */
interface Supervision {
  note(changed: Iterable<SupervisedView>): void;
}

/** The expiry a service gets from activity at `now` when nothing pinned it (`cview/expiration`). */
export function defaultExpiry(ctx: ActionContext, now: number): number {
  return now + ctx.cs.expirationSeconds * 1000;
}

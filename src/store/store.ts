/**
 * The persistence port. Actions talk to these interfaces only; SQL lives behind them in
 * `store/sql/`, and `app.ts` picks SQLite or PostgreSQL. Every implementation passes the one
 * contract suite in `test/contract/`.
 *
 * Writes outside `transaction()` commit on their own; inside, all or nothing. When a method
 * resolves, what it wrote is committed (or will be with its transaction): the 2xx rule.
 * Actions write inside `transaction()`: implementations may commit concurrent transactions
 * together (SQLite does), which is where write throughput comes from.
 */
import type { Customer, IdentificationKey } from "../domain/customers.ts";
import type { HistoryEntry, HistoryContentKind, NewHistoryEntry } from "../domain/history.ts";
import type { Json, JsonObject } from "../domain/json.ts";
import type { Extensions, Service, State, Status, Task } from "../domain/journeys.ts";
import type { ChannelState } from "../domain/agent-state.ts";
import type { AgentPresence } from "../domain/agent-presence.ts";
import type { AgentInteraction } from "../domain/agent-interactions.ts";
import type { QueueActivity, ServiceLevelThresholds } from "../domain/queue-statistics.ts";
import type { LastAgent } from "../domain/last-agent.ts";
import type { Queue } from "../domain/routing.ts";
import type { Channel, Role, Skill, User } from "../domain/users.ts";
import type { ChatService, TranscriptEntry } from "../domain/chat.ts";
import type { ChatFile } from "../domain/chat-v2.ts";
import type { HandledWork, LoggedChannelState, StateLogRow } from "../domain/agent-statistics.ts";
import type { WrapUp } from "../domain/wrap-up.ts";

export interface NewService {
  customerId: string | null;
  contactKey: string | null;
  type: Json;
  started: JsonObject;
  extensions: Extensions;
  startedAt: number;
  updatedAt: number;
  autoCompleteAfter: number | null;
  expiresAt: number;
  expiryPinned: boolean;
}

/** What an update may change on a service; absent keys stay as they are. */
export interface ServicePatch {
  customerId?: string | null;
  type?: Json;
  started?: JsonObject;
  completed?: JsonObject | null;
  completedAt?: number | null;
  extensions?: Extensions;
  expiresAt?: number;
  expiryPinned?: boolean;
}

/** Services started before `startedBefore`: all, those not completed, or those completed; optionally anonymous only. */
export interface PurgeSelection {
  startedBefore: number;
  which: "all" | "started" | "completed";
  anonymousOnly: boolean;
}

/** Services with an event (start, end, or either) in [from, to), in a state (active, completed, either). */
export interface ExportFilter {
  from: number;
  to: number;
  events: "any" | "started" | "completed";
  state: "any" | "active" | "inactive";
  withExtensions: boolean;
}

export interface ServiceQuery {
  /** Services of this customer... */
  customerId?: string;
  /** ...or anonymous services (no customer) with this contact key. */
  anonymousContactKey?: string;
  status: Status;
  /** JSON-encoded `service_type` values to match (see typeFilterCandidates). */
  types?: string[];
  startedFrom?: number;
  startedTo?: number;
  completedFrom?: number;
  completedTo?: number;
  /** Only the latest N started (`max_services`); results stay oldest first. */
  latest?: number;
  /** Load each service's extensions (default); without, they come back empty and cost nothing. */
  withExtensions?: boolean;
}

/** For composite start: the newest active service with exactly these keys. */
export interface ServiceMatch {
  customerId: string | null;
  contactKey: string | null;
  type: Json;
}

/** A new step of a service: a state or a task. */
export interface NewStep {
  serviceId: string;
  type: Json;
  started: JsonObject;
  extensions: Extensions;
  startedAt: number;
}

export interface StepPatch {
  completed?: JsonObject;
  completedAt?: number;
  extensions?: Extensions;
}

export interface StepQuery {
  status: Status;
  types?: string[];
  /** Tasks only: those attached to this state. */
  stateId?: number;
}

export interface ServiceStore {
  insert(service: NewService): Promise<string>;
  /**
   * `lock` holds the row until the transaction ends (PostgreSQL); SQLite serialises writers anyway.
   * `withExtensions: false` leaves the extensions out (read as `{}`): a read that shows none of
   * them neither loads nor parses them.
   */
  get(id: string, options?: { lock?: boolean; withExtensions?: boolean }): Promise<Service | null>;
  list(query: ServiceQuery): Promise<Service[]>;
  /** Bytes of stored JSON `list(query)` would load: checked before loading a list that may be huge. */
  listBytes(query: ServiceQuery): Promise<number>;
  findActive(match: ServiceMatch): Promise<Service | null>;
  update(id: string, patch: ServicePatch): Promise<void>;
  /**
   * Records activity on a service or its steps: moves `updatedAt`, the auto-complete deadline
   * and (unless pinned) the expiry. Returns false when the service does not exist.
   */
  touch(id: string, now: number, expiresAt: number): Promise<boolean>;
  /** Allocates the next state or task id of a service (32-bit, per service) and touches it. */
  nextStepId(id: string, kind: "state" | "task", now: number, expiresAt: number): Promise<number | null>;
  delete(id: string): Promise<boolean>;
  /** Deletes up to `limit` services a purge selects, with their states and tasks; returns how many. */
  purge(selection: PurgeSelection, limit: number): Promise<number>;
  /** One page of an export, by ascending id after `afterId`. */
  exportPage(filter: ExportFilter, afterId: number | null, limit: number): Promise<Service[]>;
  /** Deletes every service of a customer with its states and tasks (erasure); returns how many. */
  deleteByCustomer(customerId: string): Promise<number>;
  /** Moves every service of `from` to customer `to` (merge); returns how many. */
  reassignCustomer(from: string, to: string): Promise<number>;
  /** Active services whose auto-complete deadline has passed. */
  dueForAutoComplete(now: number, limit: number): Promise<string[]>;
  expired(now: number, limit: number): Promise<string[]>;
}

export interface StateStore {
  insert(id: number, state: NewStep & { previousStateId: number | null }): Promise<void>;
  get(serviceId: string, id: number): Promise<State | null>;
  list(serviceId: string, query: StepQuery): Promise<State[]>;
  listForServices(serviceIds: string[], status: Status, withExtensions?: boolean): Promise<State[]>;
  /** Bytes of stored JSON `listForServices` would load. */
  bytesForServices(serviceIds: string[], status: Status, withExtensions?: boolean): Promise<number>;
  /** Applies the patch; with `completed` set, only to an active state. Returns whether a row changed. */
  update(serviceId: string, id: number, patch: StepPatch): Promise<boolean>;
  completeAllActive(serviceId: string, completed: JsonObject, at: number): Promise<number>;
  findActiveByType(serviceId: string, type: Json): Promise<State | null>;
}

export interface TaskStore {
  insert(id: number, task: NewStep & { stateId: number | null }): Promise<void>;
  get(serviceId: string, id: number): Promise<Task | null>;
  list(serviceId: string, query: StepQuery): Promise<Task[]>;
  listForServices(serviceIds: string[], status: Status, withExtensions?: boolean): Promise<Task[]>;
  /** Bytes of stored JSON `listForServices` would load. */
  bytesForServices(serviceIds: string[], status: Status, withExtensions?: boolean): Promise<number>;
  update(serviceId: string, id: number, patch: StepPatch): Promise<boolean>;
  completeAllActive(serviceId: string, completed: JsonObject, at: number): Promise<number>;
  findActiveByType(serviceId: string, type: Json, stateId: number | null): Promise<Task | null>;
}

export interface CustomerStore {
  /** Fails with a UniqueViolation when the id is taken. */
  insert(customer: Customer, keys: IdentificationKey[]): Promise<void>;
  get(id: string): Promise<Customer | null>;
  update(customer: Customer, keys: IdentificationKey[]): Promise<void>;
  /** Ids of customers holding every one of the keys, oldest first, at most `limit`. */
  identify(keys: IdentificationKey[], limit: number): Promise<string[]>;
  /** Deletes the profile and its identification keys. */
  delete(id: string): Promise<boolean>;
}

/** Contact history (UCS interactions, recorded when a contact ends); not the work routed to agents (AgentInteractionStore). */
export interface HistoryStore {
  insert(interaction: NewHistoryEntry): Promise<void>;
  get(id: string): Promise<HistoryEntry | null>;
  listByCustomer(customerId: string, limit: number): Promise<HistoryEntry[]>;
  listByService(serviceId: string, limit: number): Promise<HistoryEntry[]>;
  content(id: string, kind: HistoryContentKind): Promise<{ body: string | Uint8Array; mime: string } | null>;
  /** Deletes a customer's contact history, content included (erasure); returns how many. */
  deleteByCustomer(customerId: string): Promise<number>;
  /** Moves a customer's contact history to another customer (merge). */
  reassignCustomer(from: string, to: string): Promise<number>;
  /** Deletes contact history that started before `before`, content included (retention); at most `limit`. */
  deleteStartedBefore(before: number, limit: number): Promise<number>;
}

export interface UserStore {
  /** Fails with a UniqueViolation when the user name is taken. */
  insert(user: User): Promise<void>;
  get(id: string): Promise<User | null>;
  getByName(userName: string): Promise<User | null>;
  list(): Promise<User[]>;
  /** Fails with a UniqueViolation when a new user name is taken. */
  update(user: User): Promise<void>;
  /** Removes the user and their sessions; false when there was none. */
  delete(id: string): Promise<boolean>;
}

/** Login sessions of users, by the SHA-256 of their cookie token. */
export interface UserSessionStore {
  insert(session: UserSession): Promise<void>;
  /** The session, if it exists and has not expired at `now`. */
  get(tokenHash: string, now: number): Promise<UserSession | null>;
  /** Ends one session (logout); false when there was none. */
  delete(tokenHash: string): Promise<boolean>;
  /** Ends every session of a user (their password changed, or they were disabled); how many there were. */
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: number): Promise<number>;
}

/** Agents' state per channel (a missing row is NotReady). */
export interface AgentChannelStore {
  list(userId: string): Promise<ChannelState[]>;
  /** Every user's stored channel states, by user id (a user without a row has none: NotReady everywhere). */
  listAll(): Promise<Map<string, ChannelState[]>>;
  set(userId: string, state: ChannelState): Promise<void>;
  /** Ready agents on a channel (enabled users): skills, capacity and load there, since when each has had nothing new. */
  ready(channel: Channel): Promise<ReadyAgent[]>;
  /** What routing knows of these users: each channel they are Ready on (enabled users only); the others are not Ready anywhere. */
  readyOf(userIds: readonly string[]): Promise<Array<ReadyAgent & { channel: Channel }>>;
  /** Marks that the agent got or left work on that channel now (routing's "idle longest"). */
  touch(userId: string, channel: Channel, now: number): Promise<void>;
  /**
   * Routing's claim on one slot: true, and the agent marked busy since `now`, if they are Ready
   * on the channel with a load under `capacity`; false otherwise. On PostgreSQL the row stays
   * locked until the transaction ends, so claims on one agent are decided one at a time.
   */
  reserve(userId: string, channel: Channel, capacity: number, now: number): Promise<boolean>;
  /** Holds the agent's channel rows until the transaction ends (PostgreSQL), so changes of one agent's states run one at a time. */
  lock(userId: string): Promise<void>;
}

/**
 * Agents' presence across nodes (domain/agent-presence.ts): renewed by the node holding their
 * CometD clients, swept by every node. The sweep's writes are conditional, so two nodes sweeping
 * at once act once and a renewal made meanwhile wins.
 */
export interface AgentPresenceStore {
  /** The agents are present on `nodeId` until `expiresAt` (rows made or moved there, no longer orphaned). */
  renew(userIds: readonly string[], nodeId: string, expiresAt: number): Promise<void>;
  get(userId: string): Promise<AgentPresence | null>;
  /** Deletes the agent's row if `nodeId` renewed it last (their clients there left); false otherwise. */
  remove(userId: string, nodeId: string): Promise<boolean>;
  /** Rows expired at `now` and not orphaned yet, oldest expiry first. */
  expired(now: number, limit: number): Promise<AgentPresence[]>;
  /** Marks the row orphaned at `now` if it is still expired and not orphaned; false when renewed or already marked. */
  markOrphaned(userId: string, now: number): Promise<boolean>;
  /** Rows orphaned at or before `orphanedBy`, longest orphaned first. */
  orphaned(orphanedBy: number, limit: number): Promise<AgentPresence[]>;
  /** Deletes the row if it is still orphaned since `orphanedAt`; false when renewed meanwhile or another node took it. */
  claimOrphan(userId: string, orphanedAt: number): Promise<boolean>;
}

export interface ReadyAgent {
  userId: string;
  roles: Role[];
  skills: Skill[];
  /** Capacity on the channel asked for. */
  capacity: number;
  /** Slots held there now. */
  load: number;
  idleSince: number;
}

export interface QueueStore {
  /** Fails with a UniqueViolation when the name is taken. */
  insert(queue: Queue): Promise<void>;
  /** `lock` holds the queue's row until the transaction ends (PostgreSQL): new chats counting a full queue take turns. */
  get(name: string, options?: { lock?: boolean }): Promise<Queue | null>;
  list(): Promise<Queue[]>;
}

/** The service-level thresholds of the queues that have their own, and of every other. */
export interface QueueThresholds {
  byQueue: ReadonlyMap<string, ServiceLevelThresholds>;
  otherwise: ServiceLevelThresholds;
}

export interface AgentInteractionStore {
  insert(ix: AgentInteraction): Promise<void>;
  /** `lock` holds the row until the transaction ends (PostgreSQL). */
  get(id: string, options?: { lock?: boolean }): Promise<AgentInteraction | null>;
  /**
   * Writes the whole interaction if it is still as `previous` was read (its updatedAt and state);
   * false when someone changed it first. Moves the agents' loads (agent_channels) by what it
   * takes and frees, in the same transaction; `insert` does the same for a new one.
   */
  update(ix: AgentInteraction, previous: AgentInteraction): Promise<boolean>;
  /** Queued interactions in routing order: higher priority first, then longest waiting, then by id. */
  queued(limit: number): Promise<AgentInteraction[]>;
  /** Whether any interaction of this media waits in a queue (a new one is then queued behind it). */
  anyQueued(media: Channel): Promise<boolean>;
  /** Routing offers whose time is up. */
  expiredOffers(now: number, limit: number): Promise<AgentInteraction[]>;
  /** Not completed, with this agent as owner (parked in their workbins included), invitee or conference member. */
  involving(agentId: string): Promise<AgentInteraction[]>;
  /** Not completed; for supervisors. */
  active(limit: number): Promise<AgentInteraction[]>;
  inWorkbin(workbin: string, ownerId: string): Promise<AgentInteraction[]>;
  /** Slots each agent holding any holds on this channel (owned, offered, in conference): their load. */
  loads(media: Channel): Promise<Map<string, number>>;
  /** Per channel, the interactions the agent completed (owner at completion) from `since` to `until` inclusive, and their accept-to-completion time. */
  handledBy(agentId: string, since: number, until: number): Promise<HandledWork[]>;
  /** Mean handle time (answer to completion), ms, of the queue's last `sample` completed interactions an agent answered; null without any. */
  averageHandleMs(queue: string, sample: number): Promise<number | null>;
  /** How many wait in `queue`, and the 1-based place of `id` among them (in routing order; null when it does not wait there). */
  queuePosition(queue: string, id: string | null): Promise<{ waiting: number; position: number | null }>;
  /** Per queue: how many wait and since when the longest has. */
  waiting(): Promise<Map<string, { count: number; oldestQueuedAt: number }>>;
  /**
   * Per queue entered (`entryQueue`), the service-level sums of the window from `since` to now
   * (domain/queue-statistics.ts), each queue's counted against its thresholds; a queue with no
   * event in it is absent.
   */
  queueActivity(since: number, thresholds: QueueThresholds): Promise<Map<string, QueueActivity>>;
  /** Per queue: how many of those waiting have reached an overflow step (queues with none are left out). */
  overflowed(): Promise<Map<string, number>>;
  /** Interactions of `from` now belong to `to` (null: to nobody, on erasure). */
  reassignCustomer(from: string, to: string | null): Promise<number>;
  /** Deletes interactions completed before `before` (their history is the record), at most `limit`; returns how many. */
  deleteCompletedBefore(before: number, limit: number): Promise<number>;
}

/**
 * Wrap-ups running now (domain/wrap-up.ts): a row per completed interaction whose slot is still
 * held. Ending one deletes it (the state log keeps its time).
 */
export interface WrapUpStore {
  insert(wrapUp: WrapUp): Promise<void>;
  /** The agent's running wrap-ups, oldest first. */
  of(userId: string): Promise<WrapUp[]>;
  /** Every running wrap-up (the supervisors' view of the agents). */
  running(): Promise<WrapUp[]>;
  /** Ends the agent's wrap-ups on these channels (they said Ready); returns how many. */
  end(userId: string, channels: readonly Channel[]): Promise<number>;
  /** Ends the agent's wrap-ups whose time is up at `now`; returns how many. */
  endDue(userId: string, now: number): Promise<number>;
  /** Agents with a wrap-up whose time is up at `now`, the longest overdue first, each once. */
  dueAgents(now: number, limit: number): Promise<string[]>;
}

/** Every state each agent's channels were in, from start to end (an open row is the current one). */
export interface AgentStateLogStore {
  /** Closes the channel's open row at `at` and opens `entry` from `at`. */
  enter(userId: string, entry: LoggedChannelState, at: number): Promise<void>;
  /** The agent's rows that overlap [since, until), by start. */
  overlapping(userId: string, since: number, until: number): Promise<StateLogRow[]>;
  /** Deletes rows that ended before `before`, at most `limit`; returns how many. */
  deleteEndedBefore(before: number, limit: number): Promise<number>;
}

/** Last-agent routing: per customer (their key), the agent whose chat with them ended last. */
export interface LastAgentStore {
  /** Keeps `agentId` as the customer's last agent, replacing the one before. */
  remember(customerKey: string, agent: LastAgent): Promise<void>;
  /** The last agents of these customers (those remembered). */
  find(customerKeys: readonly string[]): Promise<Map<string, LastAgent>>;
  /** Forgets those whose chat ended before `before`, at most `limit`; returns how many. */
  forgetEndedBefore(before: number, limit: number): Promise<number>;
  /** Forgets one customer (their profile was erased). */
  forget(customerKey: string): Promise<void>;
}

export type MetadataKind = "extension" | "identification-key";

/** Context Services metadata created through the API, by kind and (case-insensitive) name. */
export interface MetadataStore {
  /** False when one of that kind and name exists. */
  insert(kind: MetadataKind, name: string, body: JsonObject, createdAt: number): Promise<boolean>;
  get(kind: MetadataKind, name: string): Promise<{ body: JsonObject; createdAt: number } | null>;
  /** Oldest first. */
  list(kind: MetadataKind): Promise<{ body: JsonObject; createdAt: number }[]>;
  delete(kind: MetadataKind, name: string): Promise<boolean>;
}

/** Chat services with their one chat, and the chats' transcripts (Chat API v1). */
export interface ChatStore {
  insert(service: ChatService): Promise<void>;
  /** With `lock`, the row stays locked until the transaction ends (PostgreSQL; SQLite has one writer). */
  get(id: string, options?: { lock?: boolean }): Promise<ChatService | null>;
  byInteraction(interactionId: string, options?: { lock?: boolean }): Promise<ChatService | null>;
  /** The Chat API v2 chat whose secureKey this is (v1 chats are never found by it). */
  bySecureKey(secureKey: string, options?: { lock?: boolean }): Promise<ChatService | null>;
  /** Writes every field that can change: status, expiry and the chat. */
  save(service: ChatService): Promise<void>;
  /**
   * Adds entries at the positions they carry (the caller numbered them from the chat's next
   * position, with the service locked). A nickname is stored once per chat and party, not per entry.
   */
  append(interactionId: string, entries: readonly TranscriptEntry[]): Promise<void>;
  /**
   * The entry that carries this `clientMessageKey` in the chat, or null. With the chat's service
   * locked, what it answers stays true until the transaction ends; an append of a key the chat
   * has already is refused with UniqueViolation (as is one at a position it has), whatever the lock.
   */
  byClientMessage(interactionId: string, key: string): Promise<TranscriptEntry | null>;
  /** Entries from position `from` on, oldest first. */
  transcript(interactionId: string, from: number, limit: number): Promise<TranscriptEntry[]>;
  openChatsOf(gmsUser: string): Promise<ChatService[]>;
  /** Open chats whose customer was last seen before `before`, longest silent first. */
  silent(before: number, limit: number): Promise<ChatService[]>;
  /** The customers of these services are present (a CometD client): their open chats were seen now. */
  seen(serviceIds: readonly string[], now: number): Promise<void>;
  /** Open chats away since `before` or earlier with entries not yet pushed. */
  awayDue(before: number, limit: number): Promise<ChatService[]>;
  /** Services past their time to live, without an open chat. */
  expired(now: number, limit: number): Promise<string[]>;
  /** Removes a service and its transcript. */
  delete(id: string): Promise<void>;
  /** Advanced services still waiting for an agent, whose owner can be told over CometD. */
  waiting(limit: number): Promise<ChatService[]>;
  /** Services created from `address` that are not past their time to live and whose chat, if any, has not ended. */
  openServicesFrom(address: string, now: number): Promise<number>;
  /** Chats not ended, of services created from that address or by that gms_user. */
  openChatsBy(owner: { address: string } | { gmsUser: string }): Promise<number>;
  /**
   * Holds, until the transaction ends, a lock on each client key (an address, a user), so that
   * what a transaction counts of theirs stays true while it adds to it. PostgreSQL: advisory
   * locks, taken in one order; SQLite has one writer, whose transactions never overlap.
   */
  lockClients(keys: readonly string[]): Promise<void>;
  /** A file attached to a v2 chat (its bytes already in the file store). */
  addFile(file: ChatFile): Promise<void>;
  file(id: string): Promise<ChatFile | null>;
  /** Writes what can change of a file: deleted, downloads. */
  saveFile(file: ChatFile): Promise<void>;
  /** The files of a chat, deleted ones included (they count against its limits), oldest first. */
  filesOf(interactionId: string): Promise<ChatFile[]>;
  /** Bytes of the files not deleted of the chats whose service came from `address`. */
  fileBytesFrom(address: string): Promise<number>;
}

export interface UserSession {
  tokenHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * Messages to every node of a cluster that the database itself sends when, and only if, the
 * transaction that sent them commits, and that every listening node hears in commit order
 * (PostgreSQL's NOTIFY and LISTEN). So what a transaction announces cannot be lost by its node
 * dying between the commit and the announcement. SQLite is one node's: its feed refuses.
 */
export interface CommitFeed {
  /** In a transaction: sent on commit, dropped on rollback. A payload is under 8000 bytes. */
  send(payload: string): Promise<void>;
  /**
   * Every payload sent from now on, on any node, in commit order; resolves once listening.
   * A lost connection is reopened; `onTrouble` hears about it (what was sent meanwhile is missed).
   * The result stops listening.
   */
  listen(handler: (payload: string) => void, onTrouble: (err: Error) => void): Promise<() => Promise<void>>;
}

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  readonly services: ServiceStore;
  readonly states: StateStore;
  readonly tasks: TaskStore;
  readonly customers: CustomerStore;
  /** Contact history (its table is `interactions`); agentInteractions is the work routed to agents. */
  readonly history: HistoryStore;
  readonly users: UserStore;
  readonly userSessions: UserSessionStore;
  readonly agentChannels: AgentChannelStore;
  readonly agentPresence: AgentPresenceStore;
  readonly queues: QueueStore;
  readonly agentInteractions: AgentInteractionStore;
  readonly wrapUps: WrapUpStore;
  readonly agentStateLog: AgentStateLogStore;
  readonly lastAgents: LastAgentStore;
  readonly chats: ChatStore;
  readonly metadata: MetadataStore;
  /** Messages to every node, sent when a transaction commits (PostgreSQL; SQLite, one node, has none). */
  readonly feed: CommitFeed;
  /**
   * Runs `work` in one transaction with a store bound to it; resolves after the commit. `work`
   * must only use that store (no other I/O, no events): it may be run again after a rollback
   * when its transaction is committed together with others (see sql/group-commit.ts).
   */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /** Readiness: resolves when the database answers. */
  ping(): Promise<void>;
  /**
   * A consistent copy of the embedded database under `backups/` beside its file, named
   * `fileName` (one plain file name, checked by the caller); resolves once it is complete and
   * durable. Refused with BackupRefused where there is nothing to copy so (PostgreSQL, memory).
   */
  backup(fileName: string): Promise<DatabaseCopy>;
  close(): Promise<void>;
}

/** A backup written: where (an absolute path on the server) and its size. */
export interface DatabaseCopy {
  path: string;
  bytes: number;
}

/**
 * Why a backup was not made: the database is PostgreSQL (pg_dump's job) or in memory, the name
 * is taken, another backup is under way, or transactions kept the connection busy throughout.
 */
export class BackupRefused extends Error {
  readonly reason: "postgres" | "memory" | "exists" | "busy" | "unsettled";
  constructor(reason: BackupRefused["reason"], message: string) {
    super(message);
    this.name = "BackupRefused";
    this.reason = reason;
  }
}

/** A unique key was already taken (translated from the driver's error inside the store). */
export class UniqueViolation extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = "UniqueViolation";
  }
}

/**
 * The database cannot be opened, for a reason the operator must fix (a file held by another
 * process, a directory that cannot be written): the message says which and what to do.
 */
export class StoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreOpenError";
  }
}

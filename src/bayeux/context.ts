/**
 * What the engine, the meta handlers and the transports share: the request context a batch
 * arrives with, the endpoint policy, and the part of the engine the meta handlers use. It
 * imports nothing of theirs, only the session and its connection, which import nothing back, so
 * dependencies run one way: transports → engine → meta → context → session.
 */
import type { Logger } from "../logger.ts";
import type { ConnectionType, Message, Reply } from "./protocol.ts";
import type { Connection, Session } from "./session.ts";

/** What a transport knows about the request that carried a batch; passed by value, never shared. */
export interface RequestContext {
  transport: ConnectionType;
  /**
   * The identity this request proves (the gms_user header, the authenticated agent, or what a
   * WebSocket is bound to). A clientId of any other identity is unknown to this request.
   */
  identity: string | null;
  /** The BAYEUX_BROWSER cookie, when the client sent one. */
  browserId: string | null;
  /** The client's address (the forwarded one behind TRUST_PROXY). */
  ip: string;
  /** The WebSocket that carried the batch; null over HTTP. */
  connection: Connection | null;
  /** Registers what to do if the connection closes before the reply is written; returns its remover. */
  onClose(callback: () => void): () => void;
}

/** Per-endpoint rules: who may connect, subscribe and publish. */
export interface EndpointPolicy {
  name: string;
  /**
   * Its clients are anonymous (customers): the caps per address and per node count them. An
   * endpoint whose users authenticate (agents) is bounded per user and keeps room of its own,
   * so a flood of anonymous clients can never lock agents out.
   */
  anonymous: boolean;
  /** The connection types served here (what a handshake advertises and a connect may use). */
  connectionTypes: readonly ConnectionType[];
  /**
   * The identity of a handshake, or the reason it is refused (`403::<reason>`), or `unbound`: a
   * client that proved none may handshake all the same, told to use only these connection types,
   * where its first request that proves an identity binds it.
   */
  identify(ctx: RequestContext, handshake: Message): { identity: string } | { refuse: string } | { unbound: readonly ConnectionType[] };
  /** May this client subscribe to `channel` (a wildcard included)? Asynchronous when it must look the user up. */
  canSubscribe(session: Session, channel: string): boolean | Promise<boolean>;
  canPublish(session: Session, channel: string): boolean;
}

export interface EngineLimits {
  /** Messages waiting for one client; past it the client is dropped and must handshake again. */
  maxQueue: number;
  /**
   * What one client's queue may hold, in characters of serialised JSON (pushed and unacknowledged
   * messages included); past it the client is dropped as at maxQueue.
   */
  maxQueueBytes: number;
  /**
   * What the queues of all customers' clients from one address (an IPv6 /64) may hold together,
   * and of all customers' clients on this node: past either, the client a message is for is
   * dropped as at maxQueueBytes. A customer is anonymous: many clients that read nothing must not
   * add up to the node's memory.
   */
  maxQueueBytesPerIp: number;
  maxCustomerQueueBytes: number;
  /** Clients per identity per endpoint; at the cap only a gone client is replaced. */
  maxClientsPerIdentity: number;
  /** Live sessions handshaken over one WebSocket. */
  maxSessionsPerConnection: number;
  /** Live sessions from one client address. */
  maxSessionsPerIp: number;
  /** Live sessions on this node. */
  maxSessions: number;
  /** Total length of one client's subscribed channel names, characters. */
  maxSubscriptionBytes: number;
  /** Segments in a channel name a client subscribes or publishes to. */
  maxChannelSegments: number;
  /** Long-polls one browser (BAYEUX_BROWSER) may hold at once; more get `multiple-clients` advice. */
  maxParkedPerBrowser: number;
  /** Connect hold time; the advice clients get. */
  connectTimeoutMs: number;
  maxIntervalMs: number;
}

export type ServiceHandler = (session: Session, data: unknown, channel: string) => void | Promise<void>;

export type Item = Reply | string;

/** The engine as the meta handlers see it. */
export interface EngineOps {
  readonly limits: EngineLimits;
  readonly logger: Logger;
  readonly sessions: ReadonlyMap<string, Session>;
  /** A new session (unbound when `identity` is null), or the reason none may be created now (`403::<reason>`). */
  createSession(policy: EndpointPolicy, identity: string | null, ack: boolean, ctx: RequestContext): Session | string;
  /** Binds an unbound session to `identity` (its first proven request); false when that identity has no room for another client. */
  bindIdentity(session: Session, identity: string): boolean;
  subscribe(session: Session, channel: string): void;
  unsubscribeChannel(session: Session, channel: string): void;
  serviceHandler(endpoint: string, channel: string): ServiceHandler | undefined;
  destroy(session: Session, options?: { replaced?: boolean }): void;
  /** A client handshook (with its message's `ext`): what it may have missed is sent to it. */
  handshaken(session: Session, ext: unknown): void;
  /** A client said goodbye (`/meta/disconnect`), with the message's `ext` (GMS: `transcriptPosition`). */
  disconnected(session: Session, ext: unknown): void;
  flush(session: Session, reply: Reply): Item[];
  park(session: Session, reply: Reply, ctx: RequestContext): Promise<Item[]>;
  answerParked(session: Session, advice?: Reply["advice"]): void;
  parkedFrom(browserId: string): number;
  publish(endpoint: string, channel: string, data: unknown): void;
}

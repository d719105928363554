/**
 * The Bayeux engine: sessions, subscriptions, delivery, and the cluster bus. It knows nothing
 * about HTTP or WebSocket: transports hand it parsed messages with a request context and write
 * back what `process` resolves to (see meta.ts for the meta channels themselves).
 *
 * The rest of parley talks to it through `deliver` (privately, to every client of one identity:
 * how `/_genesys` works) and `publish` (to every subscriber), on any node.
 */
import { randomBytes } from "node:crypto";
import type { Bus, BusEnvelope } from "../bus/bus.ts";
import type { Logger } from "../logger.ts";
import type { EndpointPolicy, EngineLimits, EngineOps, Item, RequestContext, ServiceHandler } from "./context.ts";
import { handleMessage } from "./meta.ts";
import { ERRORS, HANDSHAKE_ADVICE, MULTIPLE_CLIENTS_INTERVAL_MS, matches, patternsFor, type Reply } from "./protocol.ts";
import { Session } from "./session.ts";

export type { EndpointPolicy, EngineLimits, RequestContext, ServiceHandler } from "./context.ts";

export interface EngineStats {
  sessions: number;
  parked: number;
  delivered: number;
  /** What customers' queues hold on this node, characters. */
  customerQueuedBytes: number;
}

type BusPayload =
  | { kind: "deliver"; endpoint: string; identity: string; channel: string; json: string }
  | { kind: "publish"; endpoint: string; channel: string; json: string }
  | { kind: "topic"; endpoint: string; topic: string; json: string }
  | { kind: "revoke"; endpoint: string; identity: string; credentials?: readonly string[] };

/** A client said goodbye: whose it was (null: an anonymous client), the topics it had joined, and its message's `ext`. */
export type GoodbyeHandler = (client: { endpoint: string; identity: string | null; topics: readonly string[] }, ext: unknown) => void;

/** A bound client handshook: whose, its message's `ext`, and how to send to it alone (subscribed or not yet). */
export type HandshakeHandler = (client: { endpoint: string; identity: string }, ext: unknown, send: (channel: string, data: unknown) => void) => void;

/** What a revoke tells: whose clients end, and, for a logout, which credentials only. */
export type RevokeHandler = (endpoint: string, identity: string, credentials: readonly string[] | undefined) => void;

const BUS_TOPIC = "bayeux";
const SWEEP_INTERVAL_MS = 1000;

export class BayeuxEngine implements EngineOps {
  readonly nodeId: string;
  readonly limits: EngineLimits;
  readonly now: () => number;
  readonly logger: Logger;
  readonly policies = new Map<string, EndpointPolicy>();
  readonly sessions = new Map<string, Session>();
  private readonly byIdentity = new Map<string, Set<Session>>();
  private readonly subscribers = new Map<string, Set<Session>>();
  private readonly byTopic = new Map<string, Set<Session>>();
  private readonly parkedByBrowser = new Map<string, number>();
  /** Anonymous endpoints' sessions per address, and in all (the caps count these only). */
  private readonly sessionsByIp = new Map<string, number>();
  private anonymousSessions = 0;
  /** What customers' queues hold, per address and in all (characters), against maxQueueBytesPerIp and maxCustomerQueueBytes. */
  private readonly customerBytesByIp = new Map<string, number>();
  private customerQueuedBytes = 0;
  private readonly services = new Map<string, ServiceHandler>();
  private lastClientGone: ((endpoint: string, identity: string) => void) | null = null;
  private goodbye: GoodbyeHandler | null = null;
  private welcome: HandshakeHandler | null = null;
  private readonly revokeHandlers: RevokeHandler[] = [];
  private readonly bus: Bus;
  private unsubscribe: (() => Promise<void>) | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private parkedCount = 0;
  private deliveredCount = 0;

  constructor(options: { bus: Bus; limits: EngineLimits; now: () => number; logger: Logger }) {
    this.nodeId = randomBytes(8).toString("hex");
    this.bus = options.bus;
    this.limits = options.limits;
    this.now = options.now;
    this.logger = options.logger;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(BUS_TOPIC, (envelope) => this.fromBus(envelope));
    this.sweeper = setInterval(() => this.sweep(), this.sweepInterval());
    this.sweeper.unref();
  }

  /** Answers every parked connect (clients reconnect elsewhere) and leaves the bus. */
  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    for (const session of this.sessions.values()) this.answerParked(session, HANDSHAKE_ADVICE);
    await this.unsubscribe?.();
  }

  /** Held connects are answered within this much of their timeout. */
  private sweepInterval(): number {
    return Math.min(SWEEP_INTERVAL_MS, Math.max(20, Math.floor(this.limits.connectTimeoutMs / 10)));
  }

  addEndpoint(policy: EndpointPolicy): void {
    this.policies.set(policy.name, policy);
  }

  /**
   * Called when an identity's last client on this node is gone (expired, disconnected, dropped),
   * not when one is replaced by a new handshake.
   */
  onLastClientGone(handler: (endpoint: string, identity: string) => void): void {
    this.lastClientGone = handler;
  }

  /** Called when a client disconnects with `/meta/disconnect` (after it is forgotten), with the message's ext. */
  onDisconnect(handler: GoodbyeHandler): void {
    this.goodbye = handler;
  }

  /** Called after each successful handshake of a client whose identity is known (what it may have missed is sent then). */
  onHandshake(handler: HandshakeHandler): void {
    this.welcome = handler;
  }

  handshaken(session: Session, ext: unknown): void {
    if (!session.bound || this.welcome === null) return;
    this.welcome({ endpoint: session.endpoint, identity: session.identity }, ext, (channel, data) => this.deliverTo(session, channel, data));
  }

  disconnected(session: Session, ext: unknown): void {
    this.goodbye?.({ endpoint: session.endpoint, identity: session.bound ? session.identity : null, topics: [...session.topics] }, ext);
  }

  /** Whether `identity` has a client on this node. */
  hasClient(endpoint: string, identity: string): boolean {
    return this.byIdentity.has(identityKey(endpoint, identity));
  }

  /** The identities of `endpoint` with a client on this node. */
  identities(endpoint: string): string[] {
    const found: string[] = [];
    for (const set of this.byIdentity.values()) {
      const [session] = set;
      if (session?.endpoint === endpoint) found.push(session.identity);
    }
    return found;
  }

  /** A handler for messages clients publish on a `/service/**` channel of an endpoint. */
  onService(endpoint: string, channel: string, handler: ServiceHandler): void {
    this.services.set(`${endpoint} ${channel}`, handler);
  }

  /** Processes one batch from a client; resolves to the replies and messages to write back. */
  async process(endpoint: string, messages: readonly unknown[], ctx: RequestContext): Promise<Item[]> {
    const policy = this.policies.get(endpoint);
    if (policy === undefined) throw new Error(`unknown Bayeux endpoint ${endpoint}`);
    // Every message is handled now; a held connect only delays the reply to the whole batch.
    // One handshake per batch: a batch is one client's, and more would multiply sessions per request.
    let handshakes = 0;
    const handled = messages.map((message) =>
      isHandshake(message) && ++handshakes > 1 ? [extraHandshake(message)] : handleMessage(this, policy, message, ctx),
    );
    const settled = handled.some((h) => !Array.isArray(h)) ? await Promise.all(handled) : (handled as Item[][]);
    return settled.flat();
  }

  /**
   * Delivery to this node's clients only, for pushes every node makes for its own clients (the
   * commit feed's listener: actions/chat-delivery.ts); the rest of parley uses `deliver`.
   */
  readonly here = {
    hasClient: (endpoint: string, identity: string): boolean => this.hasClient(endpoint, identity),
    hasTopic: (endpoint: string, topic: string): boolean => this.hasTopic(endpoint, topic),
    deliver: (endpoint: string, identity: string, channel: string, data: unknown): void =>
      this.deliverLocal(endpoint, identity, channel, JSON.stringify({ channel, data })),
    deliverToTopic: (endpoint: string, topic: string, channel: string, data: unknown): void =>
      this.deliverTopicLocal(endpoint, topic, JSON.stringify({ channel, data })),
  };

  /** Sends `data` on `channel` to every client of `identity` subscribed to it, on every node. */
  deliver(endpoint: string, identity: string, channel: string, data: unknown): void {
    const json = JSON.stringify({ channel, data });
    this.deliverLocal(endpoint, identity, channel, json);
    this.toBus({ kind: "deliver", endpoint, identity, channel, json });
  }

  /**
   * Makes `session` receive what is delivered to `topic` (a chat it used), subscribed or not.
   * A client keeps its MAX_TOPICS_PER_SESSION newest topics: joining one more leaves the oldest.
   */
  joinTopic(session: Session, topic: string): void {
    if (session.topics.has(topic) || !this.sessions.has(session.id)) return;
    if (session.topics.size >= MAX_TOPICS_PER_SESSION) {
      const [oldest] = session.topics;
      if (oldest !== undefined) this.leaveTopic(session, oldest);
    }
    session.topics.add(topic);
    const key = identityKey(session.endpoint, topic);
    const set = this.byTopic.get(key) ?? new Set<Session>();
    set.add(session);
    this.byTopic.set(key, set);
  }

  private leaveTopic(session: Session, topic: string): void {
    session.topics.delete(topic);
    this.forgetInTopic(session, topic);
  }

  private forgetInTopic(session: Session, topic: string): void {
    const key = identityKey(session.endpoint, topic);
    const set = this.byTopic.get(key);
    set?.delete(session);
    if (set?.size === 0) this.byTopic.delete(key);
  }

  /** Whether a client on this node receives `topic`. */
  hasTopic(endpoint: string, topic: string): boolean {
    return this.byTopic.has(identityKey(endpoint, topic));
  }

  /** Sends `data` on `channel` to every client that joined `topic`, on every node, without a subscription. */
  deliverToTopic(endpoint: string, topic: string, channel: string, data: unknown): void {
    const json = JSON.stringify({ channel, data });
    this.deliverTopicLocal(endpoint, topic, json);
    this.toBus({ kind: "topic", endpoint, topic, json });
  }

  private deliverTopicLocal(endpoint: string, topic: string, json: string): void {
    for (const session of this.byTopic.get(identityKey(endpoint, topic)) ?? []) this.enqueue(session, json);
  }

  /** Sends `data` on `channel` to this one client (a reply to what it published), subscribed or not. */
  deliverTo(session: Session, channel: string, data: unknown): void {
    if (this.sessions.get(session.id) === session) this.enqueue(session, JSON.stringify({ channel, data }));
  }

  /** Sends `data` on `channel` to every subscriber, on every node. */
  publish(endpoint: string, channel: string, data: unknown): void {
    const json = JSON.stringify({ channel, data });
    this.publishLocal(endpoint, channel, json);
    this.toBus({ kind: "publish", endpoint, channel, json });
  }

  /**
   * Ends every client of `identity` on `endpoint`, on every node: its sessions are destroyed (a
   * held connect is answered with `402::Unknown client`), and the `onRevoke` handlers close what
   * stays bound to the identity (WebSockets) and forget its credentials. With `credentials`
   * (a logout), only what came with those ends: the WebSockets their upgrade presented them on,
   * with the sessions handshaken over them (requests over HTTP authenticate each time).
   */
  revoke(endpoint: string, identity: string, credentials?: readonly string[]): void {
    this.revokeLocal(endpoint, identity, credentials);
    this.toBus({ kind: "revoke", endpoint, identity, ...(credentials === undefined ? {} : { credentials }) });
  }

  /** Called on every node when an identity (or some of its credentials) is revoked, after its sessions there are destroyed. */
  onRevoke(handler: RevokeHandler): void {
    this.revokeHandlers.push(handler);
  }

  private revokeLocal(endpoint: string, identity: string, credentials: readonly string[] | undefined): void {
    if (credentials === undefined) {
      for (const session of [...(this.byIdentity.get(identityKey(endpoint, identity)) ?? [])]) this.destroy(session);
    }
    for (const handler of this.revokeHandlers) handler(endpoint, identity, credentials);
  }

  stats(): EngineStats {
    return { sessions: this.sessions.size, parked: this.parkedCount, delivered: this.deliveredCount, customerQueuedBytes: this.customerQueuedBytes };
  }

  // ----- used by meta.ts -----

  createSession(policy: EndpointPolicy, identity: string | null, ack: boolean, ctx: RequestContext): Session | string {
    const limits = this.limits;
    if (policy.anonymous && this.anonymousSessions >= limits.maxSessions) return "too many clients on this server";
    if (policy.anonymous && (this.sessionsByIp.get(ctx.ip) ?? 0) >= limits.maxSessionsPerIp) return "too many clients from this address";
    if (ctx.connection !== null && ctx.connection.sessions.size >= limits.maxSessionsPerConnection) {
      return "too many clients on this connection";
    }
    if (identity !== null && !this.roomFor(policy.name, identity)) return "too many clients";
    const session = new Session({
      id: randomBytes(18).toString("base64url"),
      endpoint: policy.name,
      identity,
      ack,
      now: this.now(),
      ip: ctx.ip,
      connection: ctx.connection,
      anonymous: policy.anonymous,
      meter: policy.anonymous ? (delta) => this.meterCustomerBytes(ctx.ip, delta) : undefined,
    });
    this.sessions.set(session.id, session);
    if (session.anonymous) {
      this.anonymousSessions++;
      this.sessionsByIp.set(ctx.ip, (this.sessionsByIp.get(ctx.ip) ?? 0) + 1);
    }
    ctx.connection?.sessions.add(session);
    if (identity !== null) this.addToIdentity(session);
    return session;
  }

  private meterCustomerBytes(ip: string, delta: number): void {
    this.customerQueuedBytes += delta;
    const left = (this.customerBytesByIp.get(ip) ?? 0) + delta;
    if (left > 0) this.customerBytesByIp.set(ip, left);
    else this.customerBytesByIp.delete(ip);
  }

  bindIdentity(session: Session, identity: string): boolean {
    if (session.bound) return session.identity === identity;
    if (!this.roomFor(session.endpoint, identity)) return false;
    session.identity = identity;
    session.bound = true;
    this.addToIdentity(session);
    return true;
  }

  /** Whether `identity` may have one more client, a gone one replaced to make room. */
  private roomFor(endpoint: string, identity: string): boolean {
    const existing = this.byIdentity.get(identityKey(endpoint, identity));
    if (existing === undefined || existing.size < this.limits.maxClientsPerIdentity) return true;
    const gone = this.goneClient(existing);
    if (gone === null) return false;
    this.logger.info({ endpoint, clientId: gone.id }, "bayeux client replaced: too many for one identity");
    this.destroy(gone, { replaced: true });
    return true;
  }

  private addToIdentity(session: Session): void {
    const key = identityKey(session.endpoint, session.identity);
    let set = this.byIdentity.get(key);
    if (set === undefined) {
      set = new Set();
      this.byIdentity.set(key, set);
    }
    set.add(session);
  }

  /**
   * The least recently seen client of an identity that is gone: no connect held and no reply
   * for a while (longer than a polling client waits between connects). A live client is never
   * replaced, so claiming someone's identity cannot push them off.
   */
  private goneClient(sessions: Set<Session>): Session | null {
    const seenBefore = this.now() - Math.max(2 * MULTIPLE_CLIENTS_INTERVAL_MS, this.limits.maxIntervalMs / 2);
    let oldest: Session | null = null;
    for (const s of sessions) {
      if (s.parked !== null || s.lastSeen >= seenBefore) continue;
      if (oldest === null || s.lastSeen < oldest.lastSeen) oldest = s;
    }
    return oldest;
  }

  subscribe(session: Session, channel: string): void {
    if (session.subscriptions.has(channel)) return;
    session.subscriptions.add(channel);
    session.subscriptionBytes += channel.length;
    const key = `${session.endpoint} ${channel}`;
    let set = this.subscribers.get(key);
    if (set === undefined) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    set.add(session);
  }

  unsubscribeChannel(session: Session, channel: string): void {
    if (!session.subscriptions.delete(channel)) return;
    session.subscriptionBytes -= channel.length;
    const key = `${session.endpoint} ${channel}`;
    const set = this.subscribers.get(key);
    set?.delete(session);
    if (set?.size === 0) this.subscribers.delete(key);
  }

  serviceHandler(endpoint: string, channel: string): ServiceHandler | undefined {
    for (const pattern of patternsFor(channel)) {
      const handler = this.services.get(`${endpoint} ${pattern}`);
      if (handler !== undefined) return handler;
    }
    return undefined;
  }

  /** Removes a client: its subscriptions, its identity slot, its parked connect. */
  destroy(session: Session, options: { replaced?: boolean } = {}): void {
    if (!this.sessions.delete(session.id)) return;
    for (const channel of [...session.subscriptions]) this.unsubscribeChannel(session, channel);
    // The session keeps its list of topics: a goodbye after this still tells which chats it had.
    for (const topic of session.topics) this.forgetInTopic(session, topic);
    const key = identityKey(session.endpoint, session.identity);
    const set = session.bound ? this.byIdentity.get(key) : undefined;
    set?.delete(session);
    if (set?.size === 0) {
      this.byIdentity.delete(key);
      if (options.replaced !== true) this.lastClientGone?.(session.endpoint, session.identity);
    }
    session.connection?.sessions.delete(session);
    session.release();
    if (session.anonymous) {
      this.anonymousSessions--;
      const fromIp = (this.sessionsByIp.get(session.ip) ?? 1) - 1;
      if (fromIp > 0) this.sessionsByIp.set(session.ip, fromIp);
      else this.sessionsByIp.delete(session.ip);
    }
    const parked = session.parked;
    if (parked !== null) {
      this.unpark(session);
      parked.answer([{ ...parked.reply, successful: false, error: ERRORS.unknownClient, advice: HANDSHAKE_ADVICE }]);
    }
  }

  /** The items a connect reply carries now: queued messages first, then the reply itself. */
  flush(session: Session, reply: Reply): Item[] {
    const { messages, batch } = session.drain();
    if (session.ack) reply.ext = { ...(reply.ext ?? {}), ack: batch };
    session.lastSeen = this.now();
    this.deliveredCount += messages.length;
    return [...messages, reply];
  }

  /** Holds a connect until a message arrives, the timeout passes or the connection closes. */
  park(session: Session, reply: Reply, ctx: RequestContext): Promise<Item[]> {
    return new Promise((resolve) => {
      // No timer per poll: the sweeper answers polls past their deadline (within a second).
      const deadline = this.now() + this.limits.connectTimeoutMs;
      const stopWatching = ctx.onClose(() => {
        if (session.parked?.answer !== resolve) return;
        // Nothing was written: the queue keeps its messages for the next connect.
        this.unpark(session);
        session.lastSeen = this.now();
        resolve([]);
      });
      session.parked = { reply, answer: resolve, deadline, browserId: ctx.browserId, stopWatching };
      this.parkedCount++;
      if (ctx.browserId !== null) this.parkedByBrowser.set(ctx.browserId, this.parkedFrom(ctx.browserId) + 1);
    });
  }

  /** Answers a parked connect now (a message came, its time is up, or another connect replaces it). */
  answerParked(session: Session, advice?: Reply["advice"]): void {
    const parked = session.parked;
    if (parked === null) return;
    this.unpark(session);
    const reply = advice === undefined ? parked.reply : { ...parked.reply, advice };
    parked.answer(this.flush(session, reply));
  }

  parkedFrom(browserId: string): number {
    return this.parkedByBrowser.get(browserId) ?? 0;
  }

  // ----- delivery -----

  private unpark(session: Session): void {
    const parked = session.parked;
    if (parked === null) return;
    parked.stopWatching();
    session.parked = null;
    this.parkedCount--;
    if (parked.browserId !== null) {
      const left = this.parkedFrom(parked.browserId) - 1;
      if (left > 0) this.parkedByBrowser.set(parked.browserId, left);
      else this.parkedByBrowser.delete(parked.browserId);
    }
  }

  private deliverLocal(endpoint: string, identity: string, channel: string, json: string): void {
    const sessions = this.byIdentity.get(identityKey(endpoint, identity));
    if (sessions === undefined) return;
    for (const session of sessions) {
      if (isSubscribed(session, channel)) this.enqueue(session, json);
    }
  }

  private publishLocal(endpoint: string, channel: string, json: string): void {
    const seen = new Set<Session>();
    for (const pattern of patternsFor(channel)) {
      for (const session of this.subscribers.get(`${endpoint} ${pattern}`) ?? []) {
        if (seen.has(session)) continue;
        seen.add(session);
        this.enqueue(session, json);
      }
    }
  }

  private enqueue(session: Session, json: string): void {
    // One delivered message is serialised once and shared by every session it goes to, yet each
    // counts its whole length: that is what this session alone may keep alive, the others gone.
    if (
      session.queued >= this.limits.maxQueue ||
      session.queuedBytes + json.length > this.limits.maxQueueBytes ||
      this.customerQueuesFull(session, json.length)
    ) {
      this.logger.warn(
        { endpoint: session.endpoint, clientId: session.id, queued: session.queued, queuedBytes: session.queuedBytes },
        "bayeux client dropped: its queue is full",
      );
      this.destroy(session);
      return;
    }
    session.enqueue(json);
    // Over a WebSocket, messages leave as they come (deliveries of one turn in one frame).
    if (session.sink !== null && session.connected) {
      if (!session.pushScheduled) {
        session.pushScheduled = true;
        queueMicrotask(() => this.push(session));
      }
      return;
    }
    // Deliveries made in the same turn leave together in one reply.
    if (session.parked !== null && !session.flushScheduled) {
      session.flushScheduled = true;
      queueMicrotask(() => {
        session.flushScheduled = false;
        this.answerParked(session);
      });
    }
  }

  /** Whether `length` more for this customer's client would take its address's, or all customers', queues past their bound. */
  private customerQueuesFull(session: Session, length: number): boolean {
    if (!session.anonymous) return false;
    const fromIp = this.customerBytesByIp.get(session.ip) ?? 0;
    return fromIp + length > this.limits.maxQueueBytesPerIp || this.customerQueuedBytes + length > this.limits.maxCustomerQueueBytes;
  }

  /** Sends what is queued to the client's WebSocket; with acks, a full window asks for an acknowledgement. */
  private push(session: Session): void {
    session.pushScheduled = false;
    const sink = session.sink;
    if (sink === null || !this.sessions.has(session.id)) return;
    // A socket that refuses (closed, or too far behind) leaves the messages queued for the next reply.
    const pushed = session.pushUnpushed((messages) => sink.push?.(messages) === true);
    if (pushed === null) {
      session.losePushes();
      return;
    }
    if (pushed === 0) return;
    this.deliveredCount += pushed;
    // Pushed messages wait for the ack of the connect reply that announces them: past a window (in
    // messages, or half the queue's byte bound), the held connect is answered, so the client
    // acknowledges and the queue stays short, well within its bounds.
    if (session.ack && (session.queuedBytes >= this.limits.maxQueueBytes / 2 || session.pushedUnacknowledged() >= PUSH_ACK_WINDOW)) {
      this.answerParked(session);
    }
  }

  private toBus(payload: BusPayload): void {
    if (!this.bus.shared) return;
    this.bus.publish(BUS_TOPIC, { origin: this.nodeId, payload }).catch((err: unknown) => {
      this.logger.error({ err }, "bayeux bus publish failed");
    });
  }

  private fromBus(envelope: BusEnvelope): void {
    if (envelope.origin === this.nodeId) return;
    const p = envelope.payload as BusPayload;
    if (p.kind === "deliver") this.deliverLocal(p.endpoint, p.identity, p.channel, p.json);
    else if (p.kind === "publish") this.publishLocal(p.endpoint, p.channel, p.json);
    else if (p.kind === "topic") this.deliverTopicLocal(p.endpoint, p.topic, p.json);
    else if (p.kind === "revoke") this.revokeLocal(p.endpoint, p.identity, p.credentials);
  }

  /**
   * Once a second: answers held connects whose time is up, and forgets clients that have not
   * come back within maxInterval of their last reply.
   */
  private sweep(): void {
    const now = this.now();
    const idleSince = now - this.limits.maxIntervalMs;
    for (const session of this.sessions.values()) {
      const parked = session.parked;
      if (parked !== null && parked.deadline <= now) this.answerParked(session);
      else if (parked === null && session.lastSeen < idleSince) this.destroy(session);
    }
  }
}

/** Topics one client receives at most (real clients use one chat at a time). */
const MAX_TOPICS_PER_SESSION = 8;

/** Pushed, unacknowledged messages after which a held connect is answered to collect the ack. */
const PUSH_ACK_WINDOW = 64;

function isHandshake(message: unknown): message is { channel: string; id?: unknown } {
  return typeof message === "object" && message !== null && (message as { channel?: unknown }).channel === "/meta/handshake";
}

function extraHandshake(message: { id?: unknown }): Reply {
  const reply: Reply = { channel: "/meta/handshake", successful: false, error: ERRORS.oneHandshakePerBatch };
  if (message.id !== undefined) reply.id = message.id;
  return reply;
}

function identityKey(endpoint: string, identity: string): string {
  return `${endpoint}\u0000${identity}`;
}

function isSubscribed(session: Session, channel: string): boolean {
  if (session.subscriptions.has(channel)) return true;
  for (const pattern of session.subscriptions) if (matches(pattern, channel)) return true;
  return false;
}

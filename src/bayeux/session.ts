/**
 * One Bayeux client (a `clientId`): its identity, subscriptions, outgoing queue and the one
 * `/meta/connect` it may have parked. Holds state only; the engine decides.
 *
 * Delivery with the acknowledgement extension: every queued message is stamped with the batch
 * of the connect reply that carries it; the client echoes the last batch it received in its
 * next connect, and only then are those messages forgotten. A dropped response therefore means
 * the same messages, in the same order, in the next reply.
 *
 * Over a WebSocket messages leave as they arrive (pushed), outside connect replies. With acks
 * they stay queued, marked pushed, and the next connect reply announces the batch that covers
 * them without sending them again; if the socket dies first, they go again in the next reply.
 * A socket too far behind refuses a push: what it refused stays queued, for the next reply.
 *
 * The queue counts what it holds in messages and in characters of serialised JSON, pushed and
 * unacknowledged ones included, so the engine can bound both.
 */
import type { ConnectionType, Reply } from "./protocol.ts";

/** A message waiting for the client, serialised once for every client that receives it. */
interface Queued {
  json: string;
  /** The connect reply (batch) that carried or announced it; 0 while not yet sent in one. */
  batch: number;
  /** Sent already over the client's WebSocket (its sink). */
  pushed: boolean;
}

/** A parked `/meta/connect`: answering it sends these items (messages first, then the reply). */
export interface ParkedConnect {
  reply: Reply;
  answer: (items: (Reply | string)[]) => void;
  /** When the sweeper answers it with nothing (the advised timeout). */
  deadline: number;
  browserId: string | null;
  /** Stops watching the connection for an early close. */
  stopWatching: () => void;
}

/**
 * A WebSocket, for its whole life: sessions handshaken over it are counted against the
 * per-connection cap. (A keep-alive HTTP connection may carry many users' requests, a proxy's
 * does, so HTTP requests have none.)
 */
export interface Connection {
  /** Live sessions handshaken over this connection. */
  readonly sessions: Set<Session>;
  /**
   * Sends messages now, outside any reply (a WebSocket can: CometD's server pushes to WebSocket
   * clients as messages arrive). False, and nothing sent, when the connection can no longer carry
   * them: it is closed, or its peer is too far behind in reading (it is then closed).
   */
  push?(messages: readonly string[]): boolean;
}

export class Session {
  readonly id: string;
  readonly endpoint: string;
  /** Whose client it is; empty while it is unbound (see `bound`). */
  identity: string;
  /**
   * False for a client handshaken over a WebSocket that proved no identity (a browser page whose
   * gms_user travels in HTTP headers): it is told to use long-polling, and takes its identity
   * from the first later request that proves one, once.
   */
  bound: boolean;
  readonly subscriptions = new Set<string>();
  /**
   * Topics it receives without subscribing (a Chat API v2 chat it used: spec §6.4), oldest
   * first; at most MAX_TOPICS_PER_SESSION.
   */
  readonly topics = new Set<string>();
  /** Total length of the subscribed channel names (bounded per client). */
  subscriptionBytes = 0;
  /** The client address it handshook from, and its WebSocket if any (counted against their caps). */
  readonly ip: string;
  readonly connection: Connection | null;
  /** Of an anonymous endpoint: counted against the caps per address and per node. */
  readonly anonymous: boolean;
  /** The client asked for, and got, the acknowledgement extension. */
  readonly ack: boolean;
  connectionType: ConnectionType | null = null;
  parked: ParkedConnect | null = null;
  /** When the last connect reply left (or the handshake); expiry counts from here. */
  lastSeen: number;
  /** False until the first connect has been answered (it is answered at once, with advice). */
  connected = false;
  /** A flush of the parked connect is already scheduled for this turn. */
  flushScheduled = false;
  /** The WebSocket its connects arrive on: messages are pushed to it as they come. Null over HTTP. */
  sink: Connection | null = null;
  /** A push to the sink is already scheduled for this turn. */
  pushScheduled = false;
  private queue: Queued[] = [];
  private batch = 0;
  private bytes = 0;

  constructor(init: {
    id: string;
    endpoint: string;
    identity: string | null;
    ack: boolean;
    now: number;
    ip: string;
    connection: Connection | null;
    anonymous: boolean;
    /** Told every change in what the queue holds (characters): the engine's totals per address and per node. */
    meter?: (delta: number) => void;
  }) {
    this.id = init.id;
    this.endpoint = init.endpoint;
    this.identity = init.identity ?? "";
    this.bound = init.identity !== null;
    this.ack = init.ack;
    this.lastSeen = init.now;
    this.ip = init.ip;
    this.connection = init.connection;
    this.anonymous = init.anonymous;
    this.meter = init.meter ?? null;
  }

  private readonly meter: ((delta: number) => void) | null;

  private counted(delta: number): void {
    if (delta === 0) return;
    this.bytes += delta;
    this.meter?.(delta);
  }

  /** The client is gone: what its queue held no longer counts anywhere. */
  release(): void {
    this.counted(-this.bytes);
    this.queue = [];
  }

  get queued(): number {
    return this.queue.length;
  }

  /**
   * What the queue holds, in characters of serialised JSON (UTF-16 code units, `string.length`:
   * read in constant time, where UTF-8 bytes would mean reading every string). That is bytes for
   * ASCII, which CometD's JSON nearly always is; in memory a string takes one or two bytes per
   * character, on the wire at most three.
   */
  get queuedBytes(): number {
    return this.bytes;
  }

  enqueue(json: string): void {
    this.queue.push({ json, batch: 0, pushed: false });
    this.counted(json.length);
  }

  /**
   * Offers the messages not yet pushed to `send` (the WebSocket). If it takes them, without acks
   * they leave the queue; with acks they stay, marked pushed, until a connect reply's batch covers
   * them and the client acknowledges it. If it refuses them (the socket is closed, or too far
   * behind), they stay as they were, for the next connect reply. How many it took; null: refused.
   */
  pushUnpushed(send: (messages: readonly string[]) => boolean): number | null {
    if (!this.ack) {
      if (this.queue.length === 0) return 0;
      const messages = this.queue.map((q) => q.json);
      if (!send(messages)) return null;
      this.queue = [];
      this.counted(-this.bytes);
      return messages.length;
    }
    const fresh = this.queue.filter((q) => !q.pushed && q.batch === 0);
    if (fresh.length === 0) return 0;
    if (!send(fresh.map((q) => q.json))) return null;
    for (const q of fresh) q.pushed = true;
    return fresh.length;
  }

  /** Pushed messages the client has not acknowledged yet. */
  pushedUnacknowledged(): number {
    let n = 0;
    for (const q of this.queue) if (q.pushed) n++;
    return n;
  }

  /** The sink is gone: whatever it was pushed and not acknowledged goes again in the next reply. */
  losePushes(): void {
    this.sink = null;
    for (const q of this.queue) q.pushed = false;
  }

  /** The client has processed every batch up to `batch`: forget what they carried. */
  acknowledge(batch: number): void {
    if (!this.ack) return;
    let drop = 0;
    let dropped = 0;
    for (const q of this.queue) {
      if (q.batch === 0 || q.batch > batch) break;
      dropped += q.json.length;
      drop++;
    }
    if (drop > 0) this.queue.splice(0, drop);
    this.counted(-dropped);
  }

  /**
   * Takes what the next connect reply carries and the batch number it announces. Without acks,
   * messages leave the queue now; with acks, they stay until acknowledged and are sent again
   * until then.
   */
  drain(): { messages: string[]; batch: number } {
    if (!this.ack) {
      const messages = this.queue.map((q) => q.json);
      this.queue = [];
      this.counted(-this.bytes);
      return { messages, batch: 0 };
    }
    if (this.queue.length > 0) this.batch++;
    for (const q of this.queue) if (q.batch === 0) q.batch = this.batch;
    return { messages: this.queue.filter((q) => !q.pushed).map((q) => q.json), batch: this.batch };
  }

  /** Whether the next connect has something to carry at once (pushed messages need no reply of their own). */
  hasPending(): boolean {
    return this.queue.some((q) => !q.pushed);
  }
}

/**
 * The Redis bus (Redis pub/sub), for several nodes. The only file that imports ioredis. Topics
 * are prefixed (`REDIS_PREFIX`) so deployments and test runs sharing a Redis never collide.
 */
import { Redis } from "ioredis";
import { BusOpenError, type Bus, type BusEnvelope, type BusHandler } from "./bus.ts";

export interface RedisBusOptions {
  url: string;
  prefix: string;
  /** Told of connection errors once connected (ioredis reconnects on its own); unheard, ioredis prints them. */
  onError: (err: Error) => void;
}

export class RedisBus implements Bus {
  readonly shared = true;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly handlers = new Map<string, Set<BusHandler>>();

  private constructor(pub: Redis, sub: Redis, prefix: string) {
    this.pub = pub;
    this.sub = sub;
    this.prefix = prefix;
    this.sub.on("message", (channel: string, text: string) => this.dispatch(channel, text));
  }

  /** Connects both clients; fails (and cleans up) when Redis cannot be reached. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const settings = { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true };
    const pub = new Redis(options.url, settings);
    const sub = new Redis(options.url, settings);
    let first: Error | null = null;
    for (const client of [pub, sub]) {
      client.on("error", (err: Error) => {
        first ??= err;
        options.onError(err);
      });
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      const cause = first ?? (err instanceof Error ? err : new Error(String(err)));
      const code = (cause as { code?: unknown }).code;
      throw new BusOpenError(`${typeof code === "string" ? code : cause.message}`);
    }
    return new RedisBus(pub, sub, options.prefix);
  }

  async publish(topic: string, envelope: BusEnvelope): Promise<void> {
    await this.pub.publish(this.channel(topic), JSON.stringify(envelope));
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    const channel = this.channel(topic);
    let set = this.handlers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.sub.subscribe(channel);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await this.sub.unsubscribe(channel);
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  private channel(topic: string): string {
    return `${this.prefix}:${topic}`;
  }

  private dispatch(channel: string, text: string): void {
    const set = this.handlers.get(channel);
    if (set === undefined) return;
    let envelope: BusEnvelope;
    try {
      envelope = JSON.parse(text) as BusEnvelope;
    } catch {
      return; // not ours: another writer on the same channel name
    }
    for (const handler of set) handler(envelope);
  }
}

/**
 * What one anonymous chat client may create (issue 15): every customer is anonymous and some
 * are hostile, so services, chats and transcript entries each have a rate and a count per client
 * address (TRUST_PROXY-aware) and per gms_user. Rates are token buckets in memory (per node);
 * counts come from the database, so they hold across nodes. Used by the Chat API's actions
 * before their transaction: a refusal is a 429 with Retry-After and changes nothing.
 */
import { rateLimited } from "../domain/errors.ts";
import type { Store } from "../store/store.ts";
import { RateLimiter } from "./rate-limit.ts";

/** Who is asking: the address the request came from and, if it names one, its gms_user. */
export interface ChatClient {
  address: string;
  gmsUser: string | null;
}

export interface ChatAllowanceSettings {
  servicesPerMinutePerIp: number;
  servicesPerMinutePerUser: number;
  openServicesPerIp: number;
  chatsPerMinutePerIp: number;
  chatsPerMinutePerUser: number;
  openChatsPerIp: number;
  openChatsPerUser: number;
  entriesPerMinute: number;
}

/** How long a refused count asks the client to wait: open things end by themselves, not at once. */
const COUNT_RETRY_MS = 60_000;

export class ChatAllowance {
  private readonly settings: ChatAllowanceSettings;
  private readonly servicesByIp: RateLimiter;
  private readonly servicesByUser: RateLimiter;
  private readonly chatsByIp: RateLimiter;
  private readonly chatsByUser: RateLimiter;
  private readonly entriesByChat: RateLimiter;

  constructor(settings: ChatAllowanceSettings, now: () => number) {
    this.settings = settings;
    this.servicesByIp = RateLimiter.perMinute(settings.servicesPerMinutePerIp, now);
    this.servicesByUser = RateLimiter.perMinute(settings.servicesPerMinutePerUser, now);
    this.chatsByIp = RateLimiter.perMinute(settings.chatsPerMinutePerIp, now);
    this.chatsByUser = RateLimiter.perMinute(settings.chatsPerMinutePerUser, now);
    this.entriesByChat = RateLimiter.perMinute(settings.entriesPerMinute, now);
  }

  /** A new chat service: within the creation rates, and the address's open services. */
  async newService(store: Store, client: ChatClient, now: number): Promise<void> {
    takeOrRefuse(this.servicesByIp, client.address, "chat services created from this address");
    if (client.gmsUser !== null) takeOrRefuse(this.servicesByUser, client.gmsUser, "chat services created by this gms_user");
    const open = await store.chats.openServicesFrom(client.address, now);
    if (open >= this.settings.openServicesPerIp) {
      throw rateLimited(`too many open chat services from this address (${this.settings.openServicesPerIp})`, COUNT_RETRY_MS);
    }
  }

  /** A new chat: within the creation rates, and the open chats of the address and of the gms_user. */
  async newChat(store: Store, client: ChatClient): Promise<void> {
    takeOrRefuse(this.chatsByIp, client.address, "chats opened from this address");
    if (client.gmsUser !== null) takeOrRefuse(this.chatsByUser, client.gmsUser, "chats opened by this gms_user");
    if ((await store.chats.openChatsBy({ address: client.address })) >= this.settings.openChatsPerIp) {
      throw rateLimited(`too many open chats from this address (${this.settings.openChatsPerIp})`, COUNT_RETRY_MS);
    }
    if (client.gmsUser !== null && (await store.chats.openChatsBy({ gmsUser: client.gmsUser })) >= this.settings.openChatsPerUser) {
      throw rateLimited(`too many open chats for this gms_user (${this.settings.openChatsPerUser})`, COUNT_RETRY_MS);
    }
  }

  /**
   * Before a creation's body is read: 429 at once when its address has no allowance left, taking
   * nothing (the action takes it). A flood past its rate then costs no body parsing at all.
   */
  refuseEarly(kind: "service" | "chat", address: string): void {
    const wait = (kind === "service" ? this.servicesByIp : this.chatsByIp).peek(address);
    if (wait > 0) throw rateLimited(`too many ${kind === "service" ? "chat services created" : "chats opened"} from this address: try again later`, wait);
  }

  /** Milliseconds until the customer of service `serviceId` may add another entry (0: now; taken if so). */
  entry(serviceId: string): number {
    return this.entriesByChat.take(serviceId);
  }
}

function takeOrRefuse(limiter: RateLimiter, key: string, what: string): void {
  const wait = limiter.take(key);
  if (wait > 0) throw rateLimited(`too many ${what}: try again later`, wait);
}

/**
 * What one anonymous chat client may create (issue 15): every customer is anonymous and some
 * are hostile, so services, chats and transcript entries each have a rate and a count per client
 * address (TRUST_PROXY-aware) and per proven gms_user (a name anyone may claim would let anyone
 * use up its owner's allowance, and cost a flooder nothing to change).
 *
 * Rates count attempts, refused ones included, in memory on each node (token buckets): they
 * are taken before anything else, so a flood past them costs one map lookup. Counts of what is
 * open come from the database inside the creating transaction, with the client's lock held
 * (`ChatStore.lockClients`), so parallel requests and other nodes cannot overshoot them; a count
 * refusal is returned from the transaction, not thrown, so it writes nothing and re-runs nothing.
 */
import { rateLimited, type AppError } from "../domain/errors.ts";
import type { Store } from "../store/store.ts";
import { RateLimiter } from "./rate-limit.ts";

/** Who is asking: the address the request came from and, when a token proved it, its gms_user. */
export interface ChatClient {
  address: string;
  /** A gms_user counts here only when proven (GMS_USER_SECRET); null otherwise. */
  provenUser: string | null;
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

  /**
   * Before a creation's body is read: 429 at once when its address has no attempts left,
   * taking nothing (the action takes them). A flood past its rate then costs no body parsing.
   */
  refuseEarly(kind: "service" | "chat", address: string): void {
    const wait = (kind === "service" ? this.servicesByIp : this.chatsByIp).peek(address);
    if (wait > 0)
      throw rateLimited(`too many attempts to ${kind === "service" ? "create chat services" : "open chats"} from this address: try again later`, wait);
  }

  /** An attempt to create a service: within the rates of the address and of the proven user, or 429. */
  attemptService(client: ChatClient): void {
    take(this.servicesByIp, client.address, "attempts to create chat services from this address");
    if (client.provenUser !== null) take(this.servicesByUser, client.provenUser, "attempts to create chat services by this gms_user");
  }

  /** An attempt to open a chat: within the rates of the address and of the proven user, or 429. */
  attemptChat(client: ChatClient): void {
    take(this.chatsByIp, client.address, "attempts to open chats from this address");
    if (client.provenUser !== null) take(this.chatsByUser, client.provenUser, "attempts to open chats by this gms_user");
  }

  /** In the creating transaction, with `lockClients` held: the refusal when the address has its most services open. */
  async servicesFull(tx: Store, client: ChatClient, now: number): Promise<AppError | null> {
    if ((await tx.chats.openServicesFrom(client.address, now)) < this.settings.openServicesPerIp) return null;
    return rateLimited(`too many open chat services from this address (${this.settings.openServicesPerIp})`, COUNT_RETRY_MS);
  }

  /** In the opening transaction, with `lockClients` held: the refusal when the address or the user has its most chats open. */
  async chatsFull(tx: Store, client: ChatClient): Promise<AppError | null> {
    if ((await tx.chats.openChatsBy({ address: client.address })) >= this.settings.openChatsPerIp) {
      return rateLimited(`too many open chats from this address (${this.settings.openChatsPerIp})`, COUNT_RETRY_MS);
    }
    if (client.provenUser !== null && (await tx.chats.openChatsBy({ gmsUser: client.provenUser })) >= this.settings.openChatsPerUser) {
      return rateLimited(`too many open chats for this gms_user (${this.settings.openChatsPerUser})`, COUNT_RETRY_MS);
    }
    return null;
  }

  /**
   * An entry the customer of service `serviceId` adds: 0 when it may (taken), else the
   * milliseconds until it could. `giveBack` returns it when the request then fails (another
   * gms_user, an ended chat, a full transcript): a stranger's requests never use up a chat's rate.
   */
  entry(serviceId: string): number {
    return this.entriesByChat.take(serviceId);
  }

  giveBackEntry(serviceId: string): void {
    this.entriesByChat.refund(serviceId);
  }
}

/** The keys `ChatStore.lockClients` serialises a client's creations on. */
export function clientKeys(client: ChatClient): string[] {
  return client.provenUser === null ? [`address ${client.address}`] : [`address ${client.address}`, `user ${client.provenUser}`];
}

function take(limiter: RateLimiter, key: string, what: string): void {
  const wait = limiter.take(key);
  if (wait > 0) throw rateLimited(`too many ${what}: try again later`, wait);
}

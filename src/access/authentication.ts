/**
 * Who an agent-side request (REST under /api/v2, internal-poke, CometD on /api/v2/notifications)
 * comes from: the JSESSIONID session cookie, or HTTP Basic credentials. A password is checked
 * with scrypt once per session: a success opens a session whose cookie the client sends from
 * then on, and a client that keeps no cookies is recognised by its verified credentials for a
 * while, so a long-poll never runs scrypt. No answer says which part of the credentials was wrong.
 *
 * Password checks are a lever on the CPU, so they are rationed: failed logins per client address
 * (LOGIN_FAILURES_PER_IP, then 429); attempts for a name from one address one at a time, with a
 * growing delay after their failures (login-failures.ts); one scrypt at a time per name; and a
 * bounded queue for the scrypt work (login-queue.ts, then 503). Delays and turns are per name
 * and address: someone guessing an agent's password slows themselves, never the agent logging in
 * from elsewhere. A valid session cookie, or credentials verified a moment ago, wait for none of it.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { rateLimited } from "../domain/errors.ts";
import type { User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import { FailureLog } from "./login-failures.ts";
import { LoginQueue } from "./login-queue.ts";
import { verifyPassword } from "./passwords.ts";
import { RateLimiter } from "./rate-limit.ts";

export const SESSION_COOKIE = "JSESSIONID";
const SESSION_VALUES = /(?:^|;\s*)JSESSIONID=([A-Za-z0-9_-]{20,100})/g;
/** Session cookies of one request tried at most. */
const MAX_SESSION_COOKIES = 4;

export interface AuthenticationOptions {
  /** How long a login session lasts, milliseconds. */
  sessionTtlMs: number;
  /** Failed logins one client address may make per FAILURE_WINDOW_MS; 0: no limit (LOGIN_FAILURES_PER_IP). */
  failuresPerAddress: number;
  /** Logins waiting for their password check at most; more get 503 at once (LOGIN_MAX_PENDING). */
  maxPending: number;
  now: () => number;
  /** Waits before checking an attempt for a name with recent failures; tests hold or skip it. */
  sleep?: (ms: number) => Promise<void>;
  /** Failed names (and verified credentials) remembered at most; tests make it small. */
  maxRemembered?: number;
}

/** A request as authentication sees it: its headers and the client's address (TRUST_PROXY-aware). */
export interface AgentRequest {
  headers: IncomingHttpHeaders;
  address: string;
}

export interface Authenticated {
  user: User;
  /** How the request proved it: its session cookie, or Basic credentials. */
  via: "session" | "basic";
  /** A session opened by this request: its token goes back as the JSESSIONID cookie. */
  newSessionToken?: string;
}

/** Verified credentials are remembered this long (for clients that keep no cookie). */
const VERIFIED_TTL_MS = 5 * 60_000;
const MAX_REMEMBERED = 10_000;
/** Failures of one name, and of one address, count for this long (from the last, for a name). */
const FAILURE_WINDOW_MS = 15 * 60_000;
/**
 * Scrypts at once: each holds 32 MiB and one of libuv's four threads (shared with file and DNS
 * work) for tens of milliseconds. Two keep a login flood to two threads and 64 MiB, and still
 * check a few dozen logins a second; real logins are rare (once a shift per agent).
 */
const SCRYPTS_AT_ONCE = 2;
/** Attempts for one name from one address in flight at once: one checked, a few waiting their turn. */
const MAX_PER_TURN = 4;

export class AgentAuthentication {
  private readonly store: Store;
  private readonly options: AuthenticationOptions;
  /**
   * sha256(Authorization) → the user it proved, that user's hash then (a new password ends it),
   * and the session it opened (handed out again to a request that came without its cookie, while
   * that session lasts).
   */
  private readonly verified = new Map<string, Verified>();
  private readonly failures: FailureLog;
  private readonly failuresByAddress: RateLimiter;
  private readonly queue: LoginQueue;
  /** Checks under way, by sha256(Authorization). */
  private readonly checking = new Map<string, Promise<Authenticated | null>>();
  /** Passwords verified with scrypt since start (what sessions and the cache spare). */
  passwordChecks = 0;

  constructor(store: Store, options: AuthenticationOptions) {
    this.store = store;
    this.options = options;
    this.failures = new FailureLog({ maxNames: options.maxRemembered ?? MAX_REMEMBERED, windowMs: FAILURE_WINDOW_MS, now: options.now });
    this.failuresByAddress = new RateLimiter({ burst: options.failuresPerAddress, refillMs: FAILURE_WINDOW_MS, now: options.now });
    this.queue = new LoginQueue({ running: SCRYPTS_AT_ONCE, maxWaiting: options.maxPending, maxPerKey: MAX_PER_TURN });
  }

  /**
   * The user a request proves, or null. Throws `rate_limited` (too many failed logins from its
   * address, or attempts for its name) or `unavailable` (too many logins waiting) before any
   * password is checked.
   */
  async authenticate(request: AgentRequest): Promise<Authenticated | null> {
    const user = await this.sessionUser(request.headers);
    if (user !== null) return { user, via: "session" };
    const authorization = request.headers.authorization;
    const basic = parseBasic(authorization);
    if (authorization === undefined || basic === null) return null;
    return this.fromCredentials(authorization, basic, request.address);
  }

  /** The user a request's session cookie names, if any (no password is checked: Basic credentials are not looked at). */
  async sessionUser(headers: IncomingHttpHeaders): Promise<User | null> {
    for (const token of sessionTokens(headers)) {
      const user = await this.fromSession(token);
      if (user !== null) return user;
    }
    return null;
  }

  /**
   * Logout: ends the sessions the request's cookies name (and `opened`, the one this request
   * opened, if any), and forgets the credentials its Authorization header proved: the next
   * request with them is checked again.
   */
  async endSession(headers: IncomingHttpHeaders, opened?: string): Promise<void> {
    this.forgetCredentials(credentialKeys(headers));
    const tokens = [...sessionTokens(headers), ...(opened === undefined ? [] : [opened])];
    if (tokens.length === 0) return;
    await this.store.transaction(async (tx) => {
      for (const token of tokens) await tx.userSessions.delete(sha256(token));
    });
  }

  /** Forgets verified Basic credentials by their keys (`credentialKeys`): a logout, on every node. */
  forgetCredentials(keys: readonly string[]): void {
    for (const key of keys) this.verified.delete(key);
  }

  /** Forgets every verified credential of `userId` (their password changed, they were disabled or deleted). */
  forgetUser(userId: string): void {
    for (const [key, entry] of this.verified) if (entry.userId === userId) this.verified.delete(key);
  }

  /** Recent failed attempts for `userName` from `address` (what slows their next attempts down). */
  failureCount(userName: string, address: string): number {
    return this.failures.count(turnOf(userName, address));
  }

  /** Logins waiting for their password check now. */
  get waitingLogins(): number {
    return this.queue.waiting;
  }

  private async fromSession(token: string): Promise<User | null> {
    const session = await this.store.userSessions.get(sha256(token), this.options.now());
    if (session === null) return null;
    const user = await this.store.users.get(session.userId);
    return user?.enabled === true ? user : null;
  }

  private async fromCredentials(authorization: string, basic: { userName: string; password: string }, address: string): Promise<Authenticated | null> {
    const key = sha256(authorization);
    const known = await this.recall(key);
    if (known !== null) return known;
    // The same credentials already being checked (a script's first requests, sent at once):
    // they share that check's answer instead of queueing checks of their own.
    const pending = this.checking.get(key);
    if (pending !== undefined) return pending;
    const check = this.checkCredentials(key, basic, address).finally(() => this.checking.delete(key));
    this.checking.set(key, check);
    return check;
  }

  private async checkCredentials(key: string, basic: { userName: string; password: string }, address: string): Promise<Authenticated | null> {
    this.refuseIfFailingAddress(address);
    const turn = turnOf(basic.userName, address);
    return this.queue.inTurn(turn, async () => {
      // In its turn: the delay the failures of this name from this address earned, then the
      // address's limit again (it may have been reached while this attempt waited), then the check.
      // An address with no failures lately earns no delay, even when a flood has filled the
      // failure table and names without a slot share its overflow count.
      // (Without LOGIN_FAILURES_PER_IP nothing tells a clean address: every one waits its delay.)
      const clean = this.failuresByAddress.enabled && this.failuresByAddress.untouched(address);
      const delay = clean ? 0 : this.failures.delayMs(turn);
      if (delay > 0) await (this.options.sleep ?? sleep)(delay);
      const wait = this.failuresByAddress.take(address);
      if (wait > 0) throw tooManyFailures(wait);
      const user = await this.check(basic.userName, basic.password, clean);
      if (user === null) {
        this.failures.record(turn);
        return null;
      }
      this.failuresByAddress.refund(address);
      this.failures.clear(turn);
      const sessionToken = await this.openSession(user);
      this.remember(key, { userId: user.id, passwordHash: user.passwordHash, until: this.options.now() + VERIFIED_TTL_MS, sessionToken });
      return { user, via: "basic", newSessionToken: sessionToken };
    });
  }

  /** Credentials verified a moment ago, if they still hold: same password, user enabled, and a live session to hand out. */
  private async recall(key: string): Promise<Authenticated | null> {
    const known = this.verified.get(key);
    if (known === undefined) return null;
    const user = known.until > this.options.now() ? await this.store.users.get(known.userId) : null;
    if (user?.enabled !== true || user.passwordHash !== known.passwordHash) {
      this.verified.delete(key);
      return null;
    }
    // Never hand out a token whose session has ended (logout, possibly on another node): the
    // credentials still hold, so they open a new one.
    if ((await this.store.userSessions.get(sha256(known.sessionToken), this.options.now())) === null) {
      known.sessionToken = await this.openSession(user);
    }
    return { user, via: "basic", newSessionToken: known.sessionToken };
  }

  private refuseIfFailingAddress(address: string): void {
    const wait = this.failuresByAddress.peek(address);
    if (wait > 0) throw tooManyFailures(wait);
  }

  /** The enabled user these credentials prove, or null; one scrypt in the queue's slots (ahead of the rest when `clean`). */
  private async check(userName: string, password: string, clean: boolean): Promise<User | null> {
    const user = await this.store.users.getByName(userName);
    this.passwordChecks++;
    // A missing user costs a hash too, so timing does not tell which part was wrong.
    const ok = await this.queue.withSlot(userName, () => verifyPassword(password, user?.passwordHash ?? DUMMY_HASH), clean);
    return ok && user?.enabled === true ? user : null;
  }

  private async openSession(user: User): Promise<string> {
    const token = randomBytes(24).toString("base64url");
    const now = this.options.now();
    await this.store.transaction((tx) =>
      tx.userSessions.insert({ tokenHash: sha256(token), userId: user.id, createdAt: now, expiresAt: now + this.options.sessionTtlMs }),
    );
    return token;
  }

  private remember(key: string, entry: Verified): void {
    if (this.verified.size >= (this.options.maxRemembered ?? MAX_REMEMBERED)) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(key, entry);
  }
}

/** The key of a name's attempts from one address: their turns and their failures. */
function turnOf(userName: string, address: string): string {
  return `${userName}\u0000${address}`;
}

interface Verified {
  userId: string;
  passwordHash: string;
  until: number;
  sessionToken: string;
}

/** A hash of nothing anyone knows, verified against when the user name does not exist. */
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

function tooManyFailures(waitMs: number) {
  return rateLimited("too many failed logins from this address: try again later", waitMs);
}

/**
 * The JSESSIONID values a request carries, a few at most: a sibling site may toss a cookie of
 * the same name ahead of ours, which must not log the agent out, so each is tried.
 */
function sessionTokens(headers: IncomingHttpHeaders): string[] {
  return [...(headers.cookie ?? "").matchAll(SESSION_VALUES)].slice(0, MAX_SESSION_COOKIES).map((m) => m[1] ?? "");
}

/** What a request's credentials are known by, hashed: each session cookie it carries, and its Authorization header. */
export function credentialKeys(headers: IncomingHttpHeaders): string[] {
  const keys = sessionTokens(headers).map(sha256);
  if (headers.authorization !== undefined) keys.push(sha256(headers.authorization));
  return keys;
}

function parseBasic(header: string | undefined): { userName: string; password: string } | null {
  const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header ?? "");
  if (m?.[1] === undefined) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { userName: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

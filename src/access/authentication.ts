/**
 * Who an agent-side request (REST under /api/v2, CometD on /api/v2/notifications) comes from:
 * the JSESSIONID session cookie, or HTTP Basic credentials. A password is checked with scrypt
 * once per session: a success opens a session whose cookie the client sends from then on, and a
 * client that keeps no cookies is recognised by its verified credentials for a while, so a
 * long-poll never runs scrypt. Failures for one user name are slowed down, and no answer says
 * which part of the credentials was wrong.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";
import { verifyPassword } from "./passwords.ts";

export const SESSION_COOKIE = "JSESSIONID";
const SESSION_VALUE = /(?:^|;\s*)JSESSIONID=([A-Za-z0-9_-]{20,100})/;

export interface AuthenticationOptions {
  /** How long a login session lasts, milliseconds. */
  sessionTtlMs: number;
  now: () => number;
  /** Waits before answering a failed attempt; tests make it instant. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Authenticated {
  user: User;
  /** A session opened by this request: its token goes back as the JSESSIONID cookie. */
  newSessionToken?: string;
}

/** Verified credentials are remembered this long (for clients that keep no cookie). */
const VERIFIED_TTL_MS = 5 * 60_000;
const MAX_REMEMBERED = 10_000;
/** Failures for one name before answers slow down, the window they count in, the longest delay. */
const FREE_FAILURES = 3;
const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 5_000;

export class AgentAuthentication {
  private readonly store: Store;
  private readonly options: AuthenticationOptions;
  /**
   * sha256(Authorization) → the user it proved, that user's hash then (a new password ends it),
   * and the session it opened (handed out again to a request that came without its cookie).
   */
  private readonly verified = new Map<string, Verified>();
  private readonly failures = new Map<string, { count: number; since: number }>();
  /** Passwords verified with scrypt since start (what sessions and the cache spare). */
  passwordChecks = 0;

  constructor(store: Store, options: AuthenticationOptions) {
    this.store = store;
    this.options = options;
  }

  /** The user a request proves, or null. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Authenticated | null> {
    const token = SESSION_VALUE.exec(headers.cookie ?? "")?.[1];
    if (token !== undefined) {
      const user = await this.fromSession(token);
      if (user !== null) return { user };
    }
    const basic = parseBasic(headers.authorization);
    return basic === null ? null : this.fromCredentials(headers.authorization!, basic.userName, basic.password);
  }

  private async fromSession(token: string): Promise<User | null> {
    const session = await this.store.userSessions.get(sha256(token), this.options.now());
    if (session === null) return null;
    const user = await this.store.users.get(session.userId);
    return user?.enabled === true ? user : null;
  }

  private async fromCredentials(authorization: string, userName: string, password: string): Promise<Authenticated | null> {
    const now = this.options.now();
    const key = sha256(authorization);
    const known = this.verified.get(key);
    if (known !== undefined && known.until > now) {
      const user = await this.store.users.get(known.userId);
      if (user?.enabled === true && user.passwordHash === known.passwordHash) return { user, newSessionToken: known.sessionToken };
      this.verified.delete(key);
    }
    await this.slowDown(userName, now);
    const user = await this.store.users.getByName(userName);
    // A missing user costs a hash too, so timing does not tell which part was wrong.
    this.passwordChecks++;
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (user === null || !ok || !user.enabled) {
      this.recordFailure(userName, now);
      return null;
    }
    this.failures.delete(userName);
    const sessionToken = randomBytes(24).toString("base64url");
    await this.store.transaction((tx) =>
      tx.userSessions.insert({ tokenHash: sha256(sessionToken), userId: user.id, createdAt: now, expiresAt: now + this.options.sessionTtlMs }),
    );
    this.remember(key, { userId: user.id, passwordHash: user.passwordHash, until: now + VERIFIED_TTL_MS, sessionToken });
    return { user, newSessionToken: sessionToken };
  }

  private async slowDown(userName: string, now: number): Promise<void> {
    const failed = this.failures.get(userName);
    if (failed === undefined || now - failed.since > FAILURE_WINDOW_MS) return;
    const excess = failed.count - FREE_FAILURES;
    if (excess < 0) return;
    const delay = Math.min(MAX_DELAY_MS, 100 * 2 ** excess);
    await (this.options.sleep ?? sleep)(delay);
  }

  private recordFailure(userName: string, now: number): void {
    const failed = this.failures.get(userName);
    if (failed === undefined || now - failed.since > FAILURE_WINDOW_MS) {
      if (this.failures.size >= MAX_REMEMBERED) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(userName, { count: 1, since: now });
    } else failed.count++;
  }

  private remember(key: string, entry: Verified): void {
    if (this.verified.size >= MAX_REMEMBERED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, entry);
  }

  /** Recent failed attempts for `userName` (what slows its next attempts down). */
  failureCount(userName: string): number {
    return this.failures.get(userName)?.count ?? 0;
  }
}

interface Verified {
  userId: string;
  passwordHash: string;
  until: number;
  sessionToken: string;
}

/** A hash of nothing anyone knows, verified against when the user name does not exist. */
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

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

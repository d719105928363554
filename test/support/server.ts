/**
 * Starts the real app on port 0 with its own SQLite file (or the PostgreSQL schema given), and
 * talks to it over HTTP like a client does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type App } from "../../src/app.ts";
import type { AgentAuthenticator } from "../../src/bayeux/endpoints.ts";
import type { MemoryHub } from "../../src/bus/memory.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";

export interface TestServer {
  url: string;
  /** `${url}/genesys/1/cs` */
  cs: string;
  app: App;
  dir: string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  now?: () => number;
  /** Reuse a database directory (restarts); a fresh one is made otherwise. */
  dir?: string;
  /** Keep the directory on close (to restart on it). */
  keep?: boolean;
  /** Nodes given the same hub form a cluster. */
  memoryHub?: MemoryHub;
  authenticateAgent?: AgentAuthenticator;
  /** Waits out a user name's login delay (tests hold or record it). */
  loginDelay?: (ms: number) => Promise<void>;
  /** Collects every log line at this level and above (the default: nothing is logged). */
  logs?: { level: "debug" | "info"; lines: LogLine[] };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "parley-test-"));
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
    CS_SWEEP_INTERVAL_MS: "20",
    // Each demo user is a scrypt hash: tests that need users make their own.
    PARLEY_DEMO_USERS: "false",
    // Every test client comes from 127.0.0.1: the per-address chat limits are lifted unless a
    // test sets them (test/security/chat-*.test.ts do, with addresses of their own).
    CHAT_SERVICES_PER_MINUTE_PER_IP: "0",
    CHAT_OPEN_SERVICES_PER_IP: "1000000",
    CHATS_PER_MINUTE_PER_IP: "0",
    CHAT_OPEN_CHATS_PER_IP: "1000000",
    BAYEUX_MAX_QUEUE_BYTES_PER_IP: String(1024 * 1024 * 1024),
    ...options.env,
  });
  const logs = options.logs;
  const logger = logs === undefined ? undefined : createLogger(logs.level, { write: (line) => void logs.lines.push(JSON.parse(line) as LogLine) });
  const app = await buildApp(config, {
    now: options.now,
    memoryHub: options.memoryHub,
    authenticateAgent: options.authenticateAgent,
    loginDelay: options.loginDelay,
    logger,
  });
  const url = await app.listen();
  return {
    url,
    cs: `${url}/genesys/1/cs`,
    app,
    dir,
    async close() {
      await app.close();
      if (options.keep !== true && options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` against a server of its own, started with `env`, and closes it whatever happens. */
export async function withServer(env: Record<string, string>, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer({ env });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when the body is empty). */
  body: any;
}

/** One HTTP call; a plain object body is sent as JSON, a string as is. */
export async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown;
  if (text !== "" && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export const post = (url: string, body?: unknown, headers?: Record<string, string>) => call("POST", url, body, headers);
export const put = (url: string, body?: unknown, headers?: Record<string, string>) => call("PUT", url, body, headers);
export const get = (url: string) => call("GET", url);
export const del = (url: string) => call("DELETE", url);

/** `value`, or the test fails here naming `what` was missing: for what the test has just made exist. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, found none`);
  return value;
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until `check` holds, polling every 10 ms, or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  await eventually(async () => (check() ? true : undefined), ms, what);
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse("2026-01-01T00:00:00.000Z")) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Asserts the GMS error body shape and returns it. */
export function assertGmsError(reply: Reply, status: number, exception: string): { message: string; exception: string } {
  if (reply.status !== status || reply.body?.exception !== exception || typeof reply.body?.message !== "string") {
    throw new Error(`expected ${status} ${exception}, got ${reply.status} ${reply.text}`);
  }
  return reply.body;
}

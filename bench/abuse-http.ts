/**
 * What the abuse benchmark's clients share: HTTP calls made as a given client address (parley
 * runs with TRUST_PROXY and takes the last X-Forwarded-For entry as the client), Basic
 * credentials, agents on CometD (WebSocket), tallies of answers by status, percentiles.
 */
import { type Agent, request } from "node:http";
import WebSocket from "ws";

export const ADMIN_PASSWORD = "bench-admin-password";

export interface Reply {
  status: number;
  body: any;
  cookie?: string;
  /** The Retry-After header of a 429 or 503, milliseconds (0 without one). */
  retryAfterMs: number;
  /** Why there is no answer (status 0): the error's code, `timeout` for none in time. */
  error?: string;
}

export interface CallOptions {
  /** The simulated client's address, sent as X-Forwarded-For. */
  from: string;
  agent: Agent;
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  /** A form body: its fields, or already encoded (what a loop sends again and again is encoded once). */
  form?: Record<string, string> | string;
  /** A request not answered by then fails (status 0), so nothing waits forever. */
  timeoutMs?: number;
}

export function call(base: string, path: string, options: CallOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers, "x-forwarded-for": options.from };
    let payload: string | undefined;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    } else if (options.form !== undefined) {
      payload = typeof options.form === "string" ? options.form : new URLSearchParams(options.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded; charset=UTF-8";
    }
    const req = request(`${base}${path}`, { method: options.method ?? "POST", agent: options.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        const retryAfter = Number(res.headers["retry-after"] ?? 0);
        resolve({
          status: res.statusCode ?? 0,
          body,
          cookie: res.headers["set-cookie"]?.[0]?.split(";")[0],
          retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 0,
        });
      });
      res.on("error", reject);
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(payload);
  });
}

/** The same call, never rejecting: a failed connection or a timeout is status 0, with the error's code. */
export function attempt(base: string, path: string, options: CallOptions): Promise<Reply> {
  return call(base, path, options).catch((err: Error & { code?: string }) => ({ status: 0, body: undefined, retryAfterMs: 0, error: err.code ?? err.message }));
}

/** How a reply is counted: its status, or why there was none. */
export function outcome(reply: Reply): number | string {
  return reply.error ?? reply.status;
}

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

/**
 * Basic credentials for `user`, written differently for each `n`: base64 decoding stops at the
 * first `=`, so what follows it changes the header but not the credentials. parley remembers
 * verified headers for a while; a header it has never seen is a real password check, as a
 * login from a new browser is.
 */
export function freshBasic(user: string, password: string, n: number): Record<string, string> {
  const encoded = Buffer.from(`${user}:${password}`).toString("base64");
  return { authorization: `Basic ${encoded}${encoded.endsWith("=") ? "" : "="}${n.toString(36)}` };
}

/** Creates an agent through the admin API; throws if parley refuses. */
export async function createAgent(base: string, from: string, agent: Agent, userName: string, password: string, chatCapacity: number): Promise<void> {
  const created = await call(base, "/api/v2/users", {
    from,
    agent,
    headers: basic("admin", ADMIN_PASSWORD),
    json: { userName, password, roles: ["ROLE_AGENT"], capacity: { chat: chatCapacity } },
  });
  if (created.body?.statusCode !== 0) throw new Error(`could not create ${userName}: ${created.status} ${JSON.stringify(created.body)}`);
}

/** Logs in with Basic credentials; resolves to the session cookie. */
export async function login(base: string, from: string, agent: Agent, userName: string, password: string): Promise<string> {
  const me = await call(base, "/api/v2/me", { method: "GET", from, agent, headers: basic(userName, password) });
  if (me.status !== 200 || me.cookie === undefined) throw new Error(`${userName} could not log in: ${me.status}`);
  return me.cookie;
}

/** An agent's CometD client on `/api/v2/notifications` over WebSocket (ack extension), subscribed to its interactions. */
export async function agentSocket(base: string, from: string, cookie: string, onInteraction: (data: any) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/v2/notifications`, { headers: { cookie, "x-forwarded-for": from } });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.on("error", () => {}); // the run may end with the server gone first
  let clientId = "";
  let ack = 0;
  const send = (messages: object[]) => ws.send(JSON.stringify(messages));
  const subscribed = new Promise<void>((resolve) => {
    ws.on("message", (raw: Buffer) => {
      for (const m of JSON.parse(raw.toString()) as { channel: string; clientId?: string; data?: any; ext?: { ack?: number } }[]) {
        if (m.channel === "/meta/handshake") {
          clientId = m.clientId ?? "";
          send([
            { channel: "/meta/subscribe", clientId, subscription: "/v2/me/interactions" },
            { channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack } },
          ]);
        } else if (m.channel === "/meta/subscribe") resolve();
        else if (m.channel === "/meta/connect") {
          if (typeof m.ext?.ack === "number") ack = m.ext.ack;
          send([{ channel: "/meta/connect", clientId, connectionType: "websocket", ext: { ack } }]);
        } else if (m.channel === "/v2/me/interactions" && m.data !== undefined) onInteraction(m.data);
      }
    });
  });
  send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket"], ext: { ack: true } }]);
  await subscribed;
  return ws;
}

/** Makes an agent Ready on chat. */
export async function readyForChat(base: string, from: string, agent: Agent, cookie: string): Promise<void> {
  const ready = await call(base, "/api/v2/me/channels/chat", { from, agent, headers: { cookie }, json: { operationName: "Ready" } });
  if (ready.body?.statusCode !== 0) throw new Error(`could not be Ready: ${ready.status} ${JSON.stringify(ready.body)}`);
}

/** Answers counted per operation and status (0: no answer). Plain data, so it crosses IPC as it is. */
export type Tally = Record<string, Record<string, number>>;

export function count(tally: Tally, operation: string, status: number | string): void {
  const byStatus = tally[operation] ?? {};
  byStatus[status] = (byStatus[status] ?? 0) + 1;
  tally[operation] = byStatus;
}

/** `operation: total (200: n, 429: m)`, one line per operation. */
export function tallyLines(tally: Tally): string[] {
  return Object.entries(tally).map(([operation, byStatus]) => {
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const parts = Object.entries(byStatus).map(([status, n]) => `${status}: ${n}`);
    return `${operation}: ${total} (${parts.join(", ")})`;
  });
}

export function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

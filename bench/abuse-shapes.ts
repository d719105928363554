/**
 * The anonymous abuse shapes of issue 15, each an async loop with bounded concurrency that stops
 * at `until`. Every request is counted by operation and status in the shape's tally. Each shape
 * comes from its own address (X-Forwarded-For); none honours Retry-After unless it says so.
 */
import type { Agent } from "node:http";
import type { Socket } from "node:net";
import WebSocket from "ws";
import { attempt, count, outcome, sleep, type Reply, type Tally } from "./abuse-http.ts";

/** What the server allows, from its configuration: the shapes send exactly the largest of each. */
interface Limits {
  messageChars: number;
  dataBytes: number;
  dataValueChars: number;
  fieldChars: number;
}

export interface AttackPlan {
  base: string;
  limits: Limits;
  /** The desk: Ready agents (user name = password) on the chat channel, from `deskAddress`. */
  desk: string[];
  deskAddress: string;
  /** The real agent's user name (the login flood's victim). */
  victim: string;
  /** Addresses per chat shape (disk fill, chat flood); 1 unless a "many addresses" run asks for more. */
  addresses: number;
  /** The shapes to run: some of `SHAPES`. */
  shapes: string[];
}

/** Each shape by its short name (BENCH_SHAPES) and the name it is printed under. */
export const SHAPES: Record<string, string> = { disk: "disk fill", flood: "chat flood", slow: "slow reader", login: "login flood" };

export interface ShapeContext {
  base: string;
  agent: Agent;
  until: number;
  limits: Limits;
}

/** Chats the bench's Ready agents accepted: by service id, the interaction and the accepting agent's cookie. */
export interface Desk {
  accepted(serviceId: string, deadline: number): Promise<{ interactionId: string; cookie: string } | null>;
}

const running = (ctx: ShapeContext) => performance.now() < ctx.until;
const SERVICE = "/genesys/1/service";

function workers(n: number, loop: (worker: number) => Promise<void>): Promise<void> {
  return Promise.all(Array.from({ length: n }, (_, i) => loop(i))).then(() => undefined);
}

const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/**
 * What the hostile shapes write: a character that grows inside the server while a person would
 * count it as one. JSON escapes `"` as `\"`; business data is capped as JSON, so a `"` costs two
 * of its bytes there, and in messages (capped in characters) it doubles the stored row. (In the
 * history's XML, text keeps its quotes; `&` would grow most there, five-fold, still within the
 * transcript cap times the bound's factor.)
 */
const HOSTILE = '"';

/** What the server counts an entry of business data as: its key and value as JSON, and their separators. */
const jsonBytes = (key: string, value: string) => Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value)) + 2;

/** Business data of `bytes` bytes as the server measures it, less a few (ASCII keys, values of HOSTILE), each value within `valueChars`. */
function businessData(bytes: number, valueChars: number): Record<string, string> {
  const data: Record<string, string> = {};
  let left = bytes;
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    // Each HOSTILE character is two bytes of JSON.
    const chars = Math.min(valueChars, Math.floor((left - jsonBytes(key, "")) / 2));
    if (chars <= 0) return data;
    data[key] = HOSTILE.repeat(chars);
    left -= jsonBytes(key, data[key]);
  }
}

/**
 * Disk fill: chat services with the largest business data and device id allowed, as fast as
 * one address can (one request in ten a few bytes over the cap, which must be refused), and a chat on
 * each, ended at once so it becomes contact history with its attached data.
 */
export async function diskFill(ctx: ShapeContext, from: string, tally: Tally): Promise<void> {
  const { dataBytes, dataValueChars } = ctx.limits;
  const full = encode({ ...businessData(dataBytes, dataValueChars), _device_notification_id: "t".repeat(dataValueChars), _device_os: "android" });
  // Short of its target by less than a key's JSON, so past the cap by at least a few bytes.
  const over = encode(businessData(dataBytes + 16, dataValueChars));
  let n = 0;
  await workers(4, async () => {
    while (running(ctx)) {
      const tooBig = n++ % 10 === 9;
      const created = await attempt(ctx.base, `${SERVICE}/request-chat`, { from, agent: ctx.agent, form: tooBig ? over : full });
      count(tally, tooBig ? "service over the data cap" : "service, largest data", outcome(created));
      if (tooBig || created.status !== 200) continue;
      const id = created.body._id as string;
      const chat = await attempt(ctx.base, `${SERVICE}/${id}/ixn/chat`, { from, agent: ctx.agent, form: {} });
      count(tally, "chat", outcome(chat));
      if (chat.status !== 200) continue;
      count(tally, "chat ended (history)", outcome(await attempt(ctx.base, `${SERVICE}/${id}/ixn/chat/disconnect`, { from, agent: ctx.agent, form: {} })));
    }
  });
}

/**
 * Chat flood: one address and one gms_user open as many chats as they can, and in each send the
 * largest messages and typing notices as fast as they can, of HOSTILE characters, with a
 * nickname of them too. A chat whose transcript is full is ended (it becomes history) to make
 * room for the next; so is every chat when the run ends.
 */
export async function chatFlood(ctx: ShapeContext, from: string, gmsUser: string, tally: Tally): Promise<void> {
  const message = encode({ message: HOSTILE.repeat(ctx.limits.messageChars) });
  const nickname = HOSTILE.repeat(ctx.limits.fieldChars);
  const headers = { gms_user: gmsUser };
  const chats: Promise<void>[] = [];
  const flood = async (id: string) => {
    let full = false;
    await workers(2, async (worker) => {
      while (running(ctx) && !full) {
        const typing = worker === 1;
        const path = `${SERVICE}/${id}/ixn/chat/${typing ? "startTyping" : "send"}`;
        const sent = await attempt(ctx.base, path, { from, agent: ctx.agent, headers, form: typing ? {} : message });
        count(tally, typing ? "typing notice (past the entry rate: dropped, still 200)" : "largest message", outcome(sent));
        if (sent.status === 400 && sent.body?.exception === "InvalidStateException") full = true;
      }
    });
    const ended = await attempt(ctx.base, `${SERVICE}/${id}/ixn/chat/disconnect`, { from, agent: ctx.agent, headers, form: {} });
    count(tally, "chat ended (history)", outcome(ended));
  };
  while (running(ctx)) {
    const created = await attempt(ctx.base, `${SERVICE}/request-chat`, { from, agent: ctx.agent, headers, form: { bench_shape: "flood" } });
    count(tally, "service", outcome(created));
    if (created.status !== 200) continue;
    const id = created.body._id as string;
    // Each chat opens on a service of its own; a refused chat is tried again on the same service.
    while (running(ctx)) {
      const chat = await attempt(ctx.base, `${SERVICE}/${id}/ixn/chat`, { from, agent: ctx.agent, headers, form: { userDisplayName: nickname } });
      count(tally, "chat", outcome(chat));
      if (chat.status === 200) {
        chats.push(flood(id));
        break;
      }
    }
  }
  await Promise.all(chats);
}

/**
 * Slow reader: a customer CometD client over WebSocket that handshakes, subscribes to
 * `/_genesys` and then stops reading (its socket paused), while the Ready agent that accepted
 * its chat sends it the largest messages as fast as the agent API allows; a full transcript
 * ends the chat and the customer opens another (within its limits, waiting as Retry-After says).
 */
export async function slowReader(ctx: ShapeContext, from: string, gmsUser: string, desk: Desk, tally: Tally): Promise<void> {
  const ws = await pausedCustomerSocket(ctx.base, from, gmsUser);
  count(tally, "customer socket, paused after subscribing", ws === null ? "failed" : "ok");
  if (ws === null) return;
  const headers = { gms_user: gmsUser };
  const text = "m".repeat(ctx.limits.messageChars);
  while (running(ctx)) {
    const created = await attempt(ctx.base, `${SERVICE}/request-chat`, { from, agent: ctx.agent, headers, form: { bench_shape: "slow" } });
    count(tally, "service", outcome(created));
    if (!(await proceed(ctx, created))) continue;
    const id = created.body._id as string;
    const chat = await attempt(ctx.base, `${SERVICE}/${id}/ixn/chat`, { from, agent: ctx.agent, headers, form: { notify_by: "comet" } });
    count(tally, "chat", outcome(chat));
    if (!(await proceed(ctx, chat))) continue;
    const taken = await desk.accepted(id, Math.min(ctx.until, performance.now() + 10_000));
    if (taken !== null) await fill(ctx, from, taken, text, tally);
    count(tally, "chat ended", outcome(await attempt(ctx.base, `${SERVICE}/${id}/ixn/chat/disconnect`, { from, agent: ctx.agent, headers, form: {} })));
  }
  ws.terminate();
}

/** Whether a creation succeeded; a refusal waits as long as Retry-After says (within the run) first. */
async function proceed(ctx: ShapeContext, reply: Reply): Promise<boolean> {
  if (reply.status === 200) return true;
  await sleep(Math.min(Math.max(reply.retryAfterMs, 100), ctx.until - performance.now()));
  return false;
}

/** The agent's SendMessage at the largest size, 4 at a time, until the transcript is full or the run ends. */
async function fill(ctx: ShapeContext, from: string, taken: { interactionId: string; cookie: string }, text: string, tally: Tally): Promise<void> {
  let full = false;
  await workers(4, async () => {
    while (running(ctx) && !full) {
      const sent = await attempt(ctx.base, `/api/v2/me/interactions/${taken.interactionId}`, {
        from,
        agent: ctx.agent,
        headers: { cookie: taken.cookie },
        json: { operationName: "SendMessage", text },
      });
      count(tally, "agent SendMessage, largest", outcome(sent));
      if (sent.status !== 200) full = true;
    }
  });
}

/** The customer's WebSocket: handshake (gms_user in the ext), subscribe, connect; then its socket stops reading. */
async function pausedCustomerSocket(base: string, from: string, gmsUser: string): Promise<WebSocket | null> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/genesys/cometd`, { headers: { "x-forwarded-for": from } });
  ws.on("error", () => {});
  const opened = await new Promise<boolean>((resolve) => ws.once("open", () => resolve(true)).once("error", () => resolve(false)));
  if (!opened) return null;
  const send = (messages: object[]) => ws.send(JSON.stringify(messages));
  const subscribed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    ws.on("message", (raw: Buffer) => {
      for (const m of JSON.parse(raw.toString()) as { channel: string; clientId?: string; successful?: boolean }[]) {
        if (m.channel === "/meta/handshake" && m.successful === true) {
          send([
            { channel: "/meta/subscribe", clientId: m.clientId, subscription: "/_genesys" },
            { channel: "/meta/connect", clientId: m.clientId, connectionType: "websocket" },
          ]);
        } else if (m.channel === "/meta/subscribe") {
          clearTimeout(timer);
          resolve(m.successful === true);
        }
      }
    });
  });
  send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket"], ext: { gms_user: gmsUser } }]);
  if (!(await subscribed)) {
    ws.terminate();
    return null;
  }
  (ws as unknown as { _socket: Socket })._socket.pause();
  return ws;
}

/**
 * Login flood: 32 wrong Basic logins in flight at once from one address, half on the real
 * agent's user name (what slows that name down), half on a new random name each (a full
 * password check each).
 */
export async function loginFlood(ctx: ShapeContext, from: string, victim: string, tally: Tally): Promise<void> {
  await workers(32, async (worker) => {
    for (let i = 0; running(ctx); i++) {
      const onVictim = worker % 2 === 0;
      const user = onVictim ? victim : `nobody-${worker}-${i}-${Math.random().toString(36).slice(2, 8)}`;
      const authorization = `Basic ${Buffer.from(`${user}:wrong-password-${i}`).toString("base64")}`;
      const reply = await attempt(ctx.base, "/api/v2/me", { method: "GET", from, agent: ctx.agent, headers: { authorization } });
      count(tally, onVictim ? "wrong login, the real agent's name" : "wrong login, random name", outcome(reply));
    }
  });
}

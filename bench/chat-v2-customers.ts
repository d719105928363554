/**
 * The chat benchmark's Chat API v2 customers (spec reference/chat-v2.md), as Genesys Widgets 8
 * speaks it (§10), on the service Widgets names by default:
 *
 * - CometD: a raw Bayeux client over WebSocket on `/genesys/cometd`, no gms_user; requestChat and
 *   sendMessage are publishes on `/service/chatV2/customer-support`, whose results and pushes
 *   come back on that channel without a subscription (§6). A send counts as acknowledged when its
 *   publish is, unless an error envelope came before the acknowledgement.
 * - REST: requestChat, then `refresh` every 3 s from the highest index seen + 1, one poll at a
 *   time, and `send` (§3). An agent's message waits for the next poll: its latency is mostly the
 *   poll interval, not the server.
 *
 * Both record an agent's message when it reaches them (`Message` from an `Agent`); their own
 * messages come back to them too and are ignored.
 */
import WebSocket from "ws";
import { call, polls, type Answer, type BenchCustomer, type Ledger } from "./chat-wire.ts";

const SERVICE = "customer-support";
const CHANNEL = `/service/chatV2/${SERVICE}`;
/** Widgets 8's `refresh` cadence (W9 adapts between 0.5 and 3 s). */
export const POLL_MS = 3000;

interface Envelope {
  statusCode: number;
  chatEnded?: boolean;
  chatId?: string;
  userId?: string;
  secureKey?: string;
  alias?: string;
  messages?: { index?: number; type: string; text?: string; from: { type: string } }[];
  errors?: { code: number; message: string }[];
}

/** Why an envelope refuses, or null when it does not. */
function refusal(envelope: Envelope | undefined): string | null {
  if (envelope?.statusCode === 0) return null;
  return `statusCode ${envelope?.statusCode} (${envelope?.errors?.map((e) => e.code).join(", ") ?? "no errors"})`;
}

/** The texts of agents' messages among `events`. */
function agentTexts(events: Envelope["messages"]): string[] {
  return (events ?? []).filter((e) => e.type === "Message" && e.from.type === "Agent" && e.text !== undefined).map((e) => e.text as string);
}

/** Envelopes that refused something without being an answer the customer waited for, by reason (both flavours). */
export const stray = new Map<string, number>();
const strayed = (why: string) => stray.set(why, (stray.get(why) ?? 0) + 1);

/** One customer over CometD WebSocket: its socket, its Bayeux client and its chat's keys. */
export class CometdV2Customer implements BenchCustomer {
  private ws: WebSocket | null = null;
  private clientId = "";
  private nextId = 0;
  private keys: Envelope = { statusCode: 0 };
  /** The requestChat waiting for its result (the next data message on the channel). */
  private opening: ((envelope: Envelope) => void) | null = null;
  /** sendMessage publishes not yet acknowledged, oldest first: an error envelope belongs to the oldest. */
  private readonly sending: { id: string; text: string; ledger: Ledger; refused: string | null }[] = [];
  private readonly base: string;
  private readonly index: number;
  private readonly toCustomer: Ledger;
  constructor(base: string, index: number, toCustomer: Ledger) {
    this.base = base;
    this.index = index;
    this.toCustomer = toCustomer;
  }

  async start(): Promise<void> {
    const ws = new WebSocket(`${this.base.replace("http", "ws")}/genesys/cometd`);
    this.ws = ws;
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    ws.on("error", () => {});
    ws.on("close", () => {
      for (const s of this.sending.splice(0)) s.ledger.failed(s.text, "socket closed");
    });
    const handshaken = new Promise<void>((resolve, reject) => {
      ws.on("message", (raw: Buffer) => {
        for (const m of JSON.parse(raw.toString()) as { channel: string; id?: string; successful?: boolean; clientId?: string; data?: Envelope }[]) {
          if (m.channel === "/meta/handshake") {
            if (m.successful !== true || m.clientId === undefined) return reject(new Error(`v2 handshake refused: ${JSON.stringify(m)}`));
            this.clientId = m.clientId;
            this.connect();
            resolve();
          } else if (m.channel === "/meta/connect") {
            if (m.successful === true) this.connect();
          } else if (m.channel === CHANNEL && m.data !== undefined) this.delivered(m.data);
          else if (m.channel === CHANNEL) this.acknowledged(m.id, m.successful === true);
        }
      });
    });
    this.bayeux([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["websocket"] }]);
    await handshaken;
    const result = await new Promise<Envelope>((resolve) => {
      this.opening = resolve;
      this.publish({ operation: "requestChat", nickname: "", firstName: "Bench", lastName: `C${this.index}`, userData: { bench_chat: String(this.index) } });
    });
    if (refusal(result) !== null || result.secureKey === undefined) throw new Error(`v2 CometD requestChat failed: ${JSON.stringify(result)}`);
    this.keys = result;
  }

  private bayeux(messages: object[]): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(messages));
  }

  private connect(): void {
    this.bayeux([{ channel: "/meta/connect", clientId: this.clientId, connectionType: "websocket" }]);
  }

  private publish(data: object): string {
    const id = String(++this.nextId);
    this.bayeux([{ channel: CHANNEL, clientId: this.clientId, id, data }]);
    return id;
  }

  private delivered(envelope: Envelope): void {
    const opening = this.opening;
    if (opening !== null) {
      this.opening = null;
      opening(envelope);
      return;
    }
    const why = refusal(envelope);
    if (why === null) for (const text of agentTexts(envelope.messages)) this.toCustomer.arrived(text);
    else if (this.sending[0] !== undefined) this.sending[0].refused ??= why;
    else strayed(`CometD ${why}`);
  }

  /** A publish's acknowledgement: a sendMessage refused (by its ack or an error envelope before it) was not sent. */
  private acknowledged(id: string | undefined, successful: boolean): void {
    const at = this.sending.findIndex((s) => s.id === id);
    const [publish] = at < 0 ? [] : this.sending.splice(at, 1);
    if (publish === undefined) return;
    const why = successful ? publish.refused : "publish failed";
    if (why !== null) publish.ledger.failed(publish.text, why);
  }

  send(ledger: Ledger, seq: number): void {
    const text = `c:${this.index}:${seq}`;
    const { chatId, alias, secureKey, userId } = this.keys;
    ledger.send(text);
    const id = this.publish({ operation: "sendMessage", chatId, alias, secureKey, userId, message: text, messageType: "text" });
    this.sending.push({ id, text, ledger, refused: null });
  }

  stop(): void {
    this.ws?.terminate();
  }
}

/** Each `refresh`'s answer time, ms: what the server spends on a poll. */
export const refreshTimes: number[] = [];

/** One customer over REST: its chat's keys and its poll loop. */
export class RestV2Customer implements BenchCustomer {
  private keys: Envelope = { statusCode: 0 };
  /** The highest transcript index seen. */
  private seen = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly base: string;
  private readonly index: number;
  private readonly toCustomer: Ledger;
  constructor(base: string, index: number, toCustomer: Ledger) {
    this.base = base;
    this.index = index;
    this.toCustomer = toCustomer;
  }

  /** The identity fields Widgets sends with every operation. */
  private form(fields: Record<string, string>): Record<string, string> {
    return { alias: this.keys.alias ?? "", secureKey: this.keys.secureKey ?? "", userId: this.keys.userId ?? "", ...fields };
  }

  async start(): Promise<void> {
    const started = await call(this.base, `/genesys/2/chat/${SERVICE}/`, {
      form: this.form({ nickname: "", firstName: "Bench", lastName: `C${this.index}`, text: "", "userData[bench_chat]": String(this.index) }),
    });
    if (started.status !== 200 || refusal(started.body) !== null)
      throw new Error(`v2 REST requestChat failed: ${started.status} ${JSON.stringify(started.body)}`);
    this.keys = started.body;
    // Widgets polls from its start; customers arrive at random moments, so their polls spread over the interval.
    this.timer = setTimeout(() => void this.poll(), Math.random() * POLL_MS);
  }

  private async poll(): Promise<void> {
    const at = performance.now();
    const answer = await this.operation("refresh", { transcriptPosition: String(this.seen + 1), message: "" }).catch(() => null);
    refreshTimes.push(performance.now() - at);
    if (answer === null) strayed("REST refresh failed (network)");
    else if (answer.status !== 200 || refusal(answer.body) !== null) strayed(`REST refresh HTTP ${answer.status} ${refusal(answer.body)}`);
    else {
      const events = (answer.body as Envelope).messages ?? [];
      for (const e of events) this.seen = Math.max(this.seen, e.index ?? 0);
      for (const text of agentTexts(events)) this.toCustomer.arrived(text);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  /** Each customer is a browser of its own: its requests never queue behind other customers' for a socket. */
  private operation(op: string, fields: Record<string, string>): Promise<Answer> {
    return call(this.base, `/genesys/2/chat/${SERVICE}/${this.keys.chatId}/${op}`, { form: this.form(fields), agent: polls });
  }

  send(ledger: Ledger, seq: number): void {
    const text = `c:${this.index}:${seq}`;
    ledger.track(text, this.operation("send", { message: text, messageType: "text" }), (r) => refusal(r.body));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

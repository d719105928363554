/**
 * The real users of the abuse benchmark, each from an address of their own: a customer in a
 * normal chat (Chat API v1 in CometD mode, over long-polling with the ack extension, as the
 * official client) sending a message at a steady pace; the agent who accepted that chat (CometD
 * over WebSocket on `/api/v2/notifications`, session cookie) answering each message with
 * SendMessage; and a fresh login of that agent (Basic, no cookie: a password check) once a
 * second. Latencies go to the samples of the phase in which their request started.
 */
import { Agent } from "node:http";
import type WebSocket from "ws";
import { agentSocket, attempt, call, count, freshBasic, login, outcome, readyForChat, sleep, type Tally } from "./abuse-http.ts";

export const CUSTOMER_ADDRESS = "198.51.100.10";
export const AGENT_ADDRESS = "198.51.100.20";
const GMS_USER = "real-customer";

/** One phase's figures of the real users, milliseconds. */
export class PhaseSamples {
  readonly customerSend: number[] = [];
  readonly toAgent: number[] = [];
  readonly agentSend: number[] = [];
  readonly toCustomer: number[] = [];
  readonly login: number[] = [];
  /** Answers that were not a success, by operation and status; and events a real user would notice. */
  readonly trouble: Tally = {};
  /** Messages acknowledged but not delivered when the phase's drain ended. */
  lost = 0;
}

interface Pending {
  at: number;
  samples: PhaseSamples;
  into: "toAgent" | "toCustomer";
}

export class RealUsers {
  private readonly base: string;
  private readonly agentName: string;
  private readonly intervalMs: number;
  private readonly posts = new Agent({ keepAlive: true, maxSockets: 32 });
  private readonly polls = new Agent({ keepAlive: true, maxSockets: 4 });
  private readonly pending = new Map<string, Pending>();
  /** Requests not answered yet: what each is, and the phase it belongs to. */
  private readonly inFlight = new Map<Promise<unknown>, { what: string; samples: PhaseSamples }>();
  private samples = new PhaseSamples();
  private serviceId = "";
  private interactionId = "";
  private agentCookie = "";
  private agentWs: WebSocket | null = null;
  private clientId = "";
  private ack = 0;
  private seq = 0;
  private logins = 0;
  private stopped = false;

  constructor(base: string, agentName: string, intervalMs: number) {
    this.base = base;
    this.agentName = agentName;
    this.intervalMs = intervalMs;
  }

  /** The agent logs in and is Ready; the customer opens its chat; resolves once the agent has accepted it. */
  async start(): Promise<void> {
    this.agentCookie = await login(this.base, AGENT_ADDRESS, this.posts, this.agentName, this.agentName);
    this.agentWs = await agentSocket(this.base, AGENT_ADDRESS, this.agentCookie, (data) => this.onAgentNotice(data));
    this.agentWs.on("close", () => !this.stopped && count(this.samples.trouble, "agent socket closed by the server", "closed"));
    await readyForChat(this.base, AGENT_ADDRESS, this.posts, this.agentCookie);
    await this.handshake();
    const service = await this.customer("/genesys/1/service/request-chat", {});
    this.serviceId = service.body._id;
    const chat = await this.customer(`/genesys/1/service/${this.serviceId}/ixn/chat`, { notify_by: "comet", firstName: "Real", lastName: "Customer" });
    if (chat.status !== 200) throw new Error(`the real customer's chat failed: ${chat.status} ${JSON.stringify(chat.body)}`);
    const deadline = performance.now() + 10_000;
    while (this.interactionId === "" && performance.now() < deadline) await sleep(20);
    if (this.interactionId === "") throw new Error("the real agent was not offered the real customer's chat");
  }

  /** Sends and logs in at their pace for `ms`, into `samples`. */
  async run(samples: PhaseSamples, ms: number): Promise<void> {
    this.samples = samples;
    const start = performance.now();
    await Promise.all([every(this.intervalMs, start, ms, () => this.customerSends(samples)), every(1000, start, ms, () => this.freshLogin(samples))]);
  }

  /** Waits (up to `ms`) for requests in flight and messages on their way; what has not arrived by then is lost. */
  async drain(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while ((this.inFlight.size > 0 || this.pending.size > 0) && performance.now() < deadline) await sleep(20);
    for (const [work, { what, samples }] of this.inFlight) {
      count(samples.trouble, what, "no answer yet");
      this.inFlight.delete(work);
    }
    for (const [key, p] of this.pending) {
      p.samples.lost++;
      this.pending.delete(key);
    }
  }

  stop(): void {
    this.stopped = true;
    this.agentWs?.terminate();
    this.posts.destroy();
    this.polls.destroy();
  }

  private track<T>(what: string, samples: PhaseSamples, work: Promise<T>): void {
    this.inFlight.set(work, { what, samples });
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  private customerSends(samples: PhaseSamples): void {
    const text = `c:${this.seq++}`;
    const at = performance.now();
    this.pending.set(text, { at, samples, into: "toAgent" });
    this.track(
      "customer send",
      samples,
      this.customer(`/genesys/1/service/${this.serviceId}/ixn/chat/send`, { message: text }).then((reply) => {
        samples.customerSend.push(performance.now() - at);
        if (reply.status !== 200) {
          count(samples.trouble, "customer send", outcome(reply));
          this.pending.delete(text);
        }
      }),
    );
  }

  private freshLogin(samples: PhaseSamples): void {
    const at = performance.now();
    const headers = freshBasic(this.agentName, this.agentName, this.logins++);
    this.track(
      "fresh login",
      samples,
      attempt(this.base, "/api/v2/me", { method: "GET", from: AGENT_ADDRESS, agent: this.posts, headers }).then((reply) => {
        samples.login.push(performance.now() - at);
        if (reply.status !== 200) count(samples.trouble, "fresh login", outcome(reply));
      }),
    );
  }

  private onAgentNotice(data: any): void {
    if (data.notificationType === "NewInteraction" && this.interactionId === "") {
      this.interactionId = data.id;
      void this.agentCall({ operationName: "Accept" });
    } else if (data.notificationType === "NewMessages" && data.id === this.interactionId) {
      for (const m of data.messages as { text: string; from: { type: string } }[]) {
        if (m.from.type !== "Customer" || !m.text.startsWith("c:")) continue;
        const samples = this.arrived(m.text);
        if (samples !== null) this.answer(`a:${m.text.slice(2)}`, samples);
      }
    }
  }

  /** The agent answers a message: in the samples of the phase the customer's message was sent in. */
  private answer(text: string, samples: PhaseSamples): void {
    const at = performance.now();
    this.pending.set(text, { at, samples, into: "toCustomer" });
    this.track(
      "agent SendMessage",
      samples,
      this.agentCall({ operationName: "SendMessage", text }).then((reply) => {
        samples.agentSend.push(performance.now() - at);
        if (reply.status !== 200) {
          count(samples.trouble, "agent SendMessage", outcome(reply));
          this.pending.delete(text);
        }
      }),
    );
  }

  private arrived(key: string): PhaseSamples | null {
    const p = this.pending.get(key);
    if (p === undefined) return null;
    this.pending.delete(key);
    p.samples[p.into].push(performance.now() - p.at);
    return p.samples;
  }

  private agentCall(json: object) {
    return attempt(this.base, `/api/v2/me/interactions/${this.interactionId}`, {
      from: AGENT_ADDRESS,
      agent: this.posts,
      headers: { cookie: this.agentCookie },
      json,
    });
  }

  private customer(path: string, form: Record<string, string>) {
    return attempt(this.base, path, { from: CUSTOMER_ADDRESS, agent: this.posts, headers: { gms_user: GMS_USER }, form });
  }

  private bayeux(messages: object[]): Promise<any[]> {
    return call(this.base, "/genesys/cometd", {
      from: CUSTOMER_ADDRESS,
      agent: this.polls,
      headers: { gms_user: GMS_USER },
      json: messages,
      timeoutMs: 60_000,
    }).then((r) => (Array.isArray(r.body) ? r.body : []));
  }

  /** A new CometD client (as the official client does after losing its session), then its long-poll loop. */
  private async handshake(): Promise<void> {
    const [hs] = await this.bayeux([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"], ext: { ack: true } }]);
    if (hs?.successful !== true) throw new Error(`the real customer's handshake failed: ${JSON.stringify(hs)}`);
    this.clientId = hs.clientId;
    this.ack = 0;
    const first = this.connect();
    await this.bayeux([{ channel: "/meta/subscribe", clientId: this.clientId, subscription: "/_genesys" }]);
    void this.poll(first);
  }

  private connect(): Promise<any[]> {
    return this.bayeux([{ channel: "/meta/connect", clientId: this.clientId, connectionType: "long-polling", ext: { ack: this.ack } }]);
  }

  private async poll(first: Promise<any[]>): Promise<void> {
    let replies: any[] | null = await first.catch(() => null);
    while (!this.stopped) {
      if (replies !== null && this.read(replies)) {
        replies = await this.connect().catch(() => null);
        continue;
      }
      count(this.samples.trouble, "customer CometD session lost (handshakes again)", "lost");
      await sleep(100);
      if (this.stopped) return;
      // A new handshake starts a poll loop of its own.
      if (
        await this.handshake().then(
          () => true,
          () => false,
        )
      )
        return;
      replies = null;
    }
  }

  /** Takes the agent's messages from a connect's replies; false when the server no longer knows the client. */
  private read(replies: any[]): boolean {
    let known = true;
    for (const m of replies) {
      if (m.channel === "/meta/connect") {
        if (m.successful === false) known = false;
        if (typeof m.ext?.ack === "number") this.ack = m.ext.ack;
      }
      for (const entry of (m.data?.message?.transcriptToShow ?? []) as string[][]) {
        if (entry[4] === "AGENT" && entry[0] === "Message.Text" && entry[2]?.startsWith("a:")) this.arrived(entry[2]);
      }
    }
    return known;
  }
}

/** Calls `fn` every `intervalMs` from `start` for `ms`, on schedule whatever the answers take. */
async function every(intervalMs: number, start: number, ms: number, fn: () => void): Promise<void> {
  for (let due = start; due < start + ms; due += intervalMs) {
    await sleep(due - performance.now());
    fn();
  }
}

/**
 * What the chat benchmark's clients share (bench/chat.ts, bench/chat-v2-customers.ts): HTTP calls
 * over keep-alive pools, Basic credentials, and the ledger each direction books its messages in.
 */
import { Agent, request } from "node:http";

/** Short requests (sends, agent operations, v2 polls). */
export const posts = new Agent({ keepAlive: true, maxSockets: 256 });
/** Requests that must not wait for a socket (v1 long-polls, v2 REST customers): one socket each. */
export const polls = new Agent({ keepAlive: true, maxSockets: Infinity });

export interface Answer {
  status: number;
  body: any;
  cookie?: string;
}

export function call(
  base: string,
  path: string,
  options: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; agent?: Agent; method?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | undefined;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    } else if (options.form !== undefined) {
      payload = new URLSearchParams(options.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded; charset=UTF-8";
    }
    const req = request(`${base}${path}`, { method: options.method ?? "POST", agent: options.agent ?? posts, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body, cookie: res.headers["set-cookie"]?.[0]?.split(";")[0] });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

/** What both sides record: when each message was sent, and the latency of each that arrived. */
export class Ledger {
  readonly pending = new Map<string, number>();
  readonly latencies: number[] = [];
  /** Sends the server refused or never answered: not acknowledged, so never counted as lost. */
  readonly failures = new Map<string, number>();
  sent = 0;
  send(key: string): void {
    this.pending.set(key, performance.now());
    this.sent++;
  }
  /** The send was not acknowledged (no 2xx): the message does not count as sent. */
  failed(key: string, why: string): void {
    if (!this.pending.delete(key)) return;
    this.sent--;
    this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
  }
  /** Calls `send` and books the outcome: only an acknowledged message can be lost. `refusal` names a 2xx that refuses. */
  track(key: string, sending: Promise<Answer>, refusal: (answer: Answer) => string | null = () => null): void {
    this.send(key);
    sending.then(
      (r) => {
        if (r.status < 200 || r.status > 299) this.failed(key, `HTTP ${r.status}`);
        else {
          const why = refusal(r);
          if (why !== null) this.failed(key, why);
        }
      },
      (err: Error & { code?: string }) => this.failed(key, err.code ?? err.message),
    );
  }
  arrived(key: string): void {
    const at = this.pending.get(key);
    if (at === undefined) return;
    this.pending.delete(key);
    this.latencies.push(performance.now() - at);
  }
}

/** A simulated customer of one chat, whichever API it speaks. */
export interface BenchCustomer {
  /** Opens the chat (and whatever carries its notifications). */
  start(): Promise<void>;
  /** Sends message number `seq`, booked in `ledger` under the text the agent will see. */
  send(ledger: Ledger, seq: number): void;
  stop(): void;
}

/**
 * CometD benchmark: parley's Bayeux engine against Faye (a Node Bayeux server), in one run,
 * with a bare node:http long-poll server as the floor of what one long-poll exchange costs.
 * Raw Bayeux clients (long-polling over keep-alive HTTP, and WebSocket) receive private
 * messages at a chat-like rate, then in a burst of one message to every client at once.
 * Prints delivered messages/s, server CPU µs per delivered message, p50/p99 latency, memory per
 * idle client, and parley's ratio to Faye. Only 127.0.0.1; bounded in clients and time.
 *
 *   npm run bench:bayeux
 *   BENCH_SECONDS=5 BENCH_RATE=1 npm run bench:bayeux   (rate: messages per client per second)
 *
 * CPU per message is marginal: the server's CPU over the loaded window, less its CPU over an
 * equal window with the same clients and no deliveries, divided by the messages delivered.
 */
import { fork, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 0.5);
const BURSTS = 3;

type Kind = "parley" | "faye" | "bare";
type Transport = "long-polling" | "websocket";
type Message = { channel?: string; clientId?: string; successful?: boolean; data?: { t?: number }; ext?: { ack?: number } };

interface Target {
  kind: Kind;
  url: string;
  child: ChildProcess;
  ask<T>(command: object): Promise<T>;
}

async function startTarget(kind: Kind): Promise<Target> {
  const child = fork(`${ROOT}bench/bayeux-target.ts`, [kind], {
    // BENCH_PROFILE=<dir> writes a CPU profile of each server under test there.
    execArgv: ["--import", "tsx", "--expose-gc", ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve) => child.once("message", (m: { url: string }) => resolve(m.url)));
  return {
    kind,
    url,
    child,
    ask: <T>(command: object) =>
      new Promise<T>((resolve) => {
        child.once("message", (m) => resolve(m as T));
        child.send(command);
      }),
  };
}

/** One raw Bayeux client: handshake, subscribe, then connect after connect. */
class Client {
  readonly user: string;
  private readonly target: Target;
  private readonly transport: Transport;
  private readonly agent: Agent;
  private readonly onData: (t: number) => void;
  private clientId = "";
  private ack = 0;
  private stopped = false;
  private ws: WebSocket | null = null;
  /** WebSocket: replies are matched by kind, since a held connect answers after later requests. */
  private pendingConnect: ((messages: Message[]) => void) | null = null;
  private pending: ((messages: Message[]) => void)[] = [];

  constructor(target: Target, transport: Transport, user: string, agent: Agent, onData: (t: number) => void) {
    this.target = target;
    this.transport = transport;
    this.user = user;
    this.agent = agent;
    this.onData = onData;
  }

  get channel(): string {
    return this.target.kind === "faye" ? `/u/${this.user}` : "/_genesys";
  }

  async start(): Promise<void> {
    if (this.transport === "websocket") await this.openSocket();
    const [hs] = await this.send([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: [this.transport], ext: { ack: true } }]);
    if (hs?.successful !== true || hs.clientId === undefined) throw new Error(`handshake failed for ${this.user}`);
    this.clientId = hs.clientId;
    // As real clients do: the first connect goes out, and the subscription alongside it.
    const first = this.send([{ channel: "/meta/connect", clientId: this.clientId, connectionType: this.transport }]);
    await this.send([{ channel: "/meta/subscribe", clientId: this.clientId, subscription: this.channel }]);
    void this.poll(first);
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  private async poll(first: Promise<Message[]>): Promise<void> {
    let replies: Message[];
    try {
      replies = await first;
    } catch {
      return;
    }
    while (!this.stopped) {
      this.read(replies);
      const ext = this.target.kind === "parley" ? { ack: this.ack } : undefined;
      try {
        replies = await this.send([{ channel: "/meta/connect", clientId: this.clientId, connectionType: this.transport, ext }]);
      } catch {
        return;
      }
    }
  }

  private read(replies: Message[]): void {
    const now = Date.now();
    for (const m of replies) {
      if (m.channel === this.channel && typeof m.data?.t === "number") this.onData(now - m.data.t);
      else if (m.channel === "/meta/connect" && typeof m.ext?.ack === "number") this.ack = m.ext.ack;
    }
  }

  private send(messages: object[]): Promise<Message[]> {
    const body = JSON.stringify(messages);
    if (this.ws !== null) {
      const isConnect = (messages[0] as Message).channel === "/meta/connect";
      return new Promise((resolve) => {
        if (isConnect) this.pendingConnect = resolve;
        else this.pending.push(resolve);
        this.ws?.send(body);
      });
    }
    return new Promise((resolve, reject) => {
      const req = request(this.target.url, {
        method: "POST",
        agent: this.agent,
        headers: { "content-type": "application/json", gms_user: this.user, "content-length": Buffer.byteLength(body) },
      });
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve(JSON.parse(text) as Message[]));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  private openSocket(): Promise<void> {
    const url = this.target.url.replace(/^http/, "ws");
    const ws = new WebSocket(url, { headers: { gms_user: this.user } });
    this.ws = ws;
    ws.on("message", (data: Buffer) => {
      const messages = JSON.parse(data.toString()) as Message[];
      if (messages.some((m) => m.channel === "/meta/connect")) {
        const resolve = this.pendingConnect;
        this.pendingConnect = null;
        resolve?.(messages);
      } else if (messages.some((m) => m.channel?.startsWith("/meta/"))) {
        this.pending.shift()?.(messages);
      } else {
        // Pushed outside a connect reply (Faye does this on WebSocket).
        this.read(messages);
      }
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
  }
}

interface Scenario {
  transport: Transport;
  clients: number;
}

interface Result {
  kind: Kind;
  scenario: Scenario;
  rate: number;
  cpuPerMessage: number;
  p50: number;
  p99: number;
  burstP50: number;
  burstP99: number;
  burstCpuPerMessage: number;
  rssPerClient: number;
  heapPerClient: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function measure(kind: Kind, scenario: Scenario): Promise<Result> {
  const target = await startTarget(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  let latencies: number[] = [];
  const clients: Client[] = [];
  try {
    const before = await target.ask<{ rss: number; heap: number }>({ cmd: "stats" });
    for (let i = 0; i < scenario.clients; i += 50) {
      const batch = Array.from(
        { length: Math.min(50, scenario.clients - i) },
        (_, j) => new Client(target, scenario.transport, `u${i + j}`, agent, (ms) => latencies.push(ms)),
      );
      await Promise.all(batch.map((c) => c.start()));
      clients.push(...batch);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = await target.ask<{ rss: number; heap: number }>({ cmd: "stats" });

    // The same window with no deliveries: what the server spends anyway (timers, held polls).
    const idleRun = await target.ask<{ cpu: number }>({ cmd: "run", users: scenario.clients, perSecond: 0, seconds: SECONDS });
    const perSecond = Math.max(1, Math.round(scenario.clients * RATE));
    const run = await target.ask<{ cpu: number; sent: number }>({ cmd: "run", users: scenario.clients, perSecond, seconds: SECONDS });
    await until(() => latencies.length >= run.sent, 10_000).catch(() => undefined);
    const steady = latencies;
    latencies = [];

    let burstCpu = 0;
    for (let b = 0; b < BURSTS; b++) {
      const expected = latencies.length + scenario.clients;
      burstCpu += (await target.ask<{ cpu: number }>({ cmd: "burst", users: scenario.clients })).cpu;
      await until(() => latencies.length >= expected, 10_000).catch(() => undefined);
    }
    return {
      kind,
      scenario,
      rate: steady.length / SECONDS,
      cpuPerMessage: Math.max(0, run.cpu - idleRun.cpu) / Math.max(1, steady.length),
      p50: percentile(steady, 50),
      p99: percentile(steady, 99),
      burstP50: percentile(latencies, 50),
      burstP99: percentile(latencies, 99),
      burstCpuPerMessage: burstCpu / Math.max(1, latencies.length),
      rssPerClient: (idle.rss - before.rss) / scenario.clients,
      heapPerClient: (idle.heap - before.heap) / scenario.clients,
    };
  } finally {
    for (const c of clients) c.stop();
    agent.destroy();
    target.child.kill(process.env.BENCH_PROFILE ? "SIGINT" : "SIGKILL");
  }
}

function row(r: Result): string {
  const name = `${r.kind} ${r.scenario.transport} x${r.scenario.clients}`;
  const cells = [
    r.rate.toFixed(0).padStart(6),
    r.cpuPerMessage.toFixed(1).padStart(8),
    `${r.p50.toFixed(0)}/${r.p99.toFixed(0)}`.padStart(10),
    `${r.burstP50.toFixed(0)}/${r.burstP99.toFixed(0)}`.padStart(12),
    r.burstCpuPerMessage.toFixed(1).padStart(9),
    (r.heapPerClient / 1024).toFixed(1).padStart(8),
    (r.rssPerClient / 1024).toFixed(1).padStart(8),
  ];
  return `${name.padEnd(29)} ${cells.join(" ")}`;
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY; // e.g. "parley" or "websocket": run the matching cases only
  const scenarios: Scenario[] = [
    ...(process.env.BENCH_SKIP_SMALL === "1" ? [] : [{ transport: "long-polling", clients: 100 }]),
    { transport: "long-polling", clients: 1000 },
    { transport: "websocket", clients: 1000 },
  ].filter((s) => only === undefined || only === "parley" || only === "faye" || s.transport === only) as Scenario[];
  const results: Result[] = [];
  for (const scenario of scenarios) {
    // The bare floor speaks long-polling only.
    const kinds: Kind[] = scenario.transport === "long-polling" ? ["bare", "faye", "parley"] : ["faye", "parley"];
    for (const kind of kinds) {
      if (only === undefined || only === kind || only === scenario.transport) results.push(await measure(kind, scenario));
    }
  }
  console.log(`\nCometD private delivery: ${RATE} msg per client per s for ${SECONDS} s, then ${BURSTS} bursts of one message to every client\n`);
  console.log("server transport x clients     msg/s  CPU µs/msg  p50/p99 ms  burst p50/99  burst µs  KB heap   KB rss  (per idle client)");
  for (const r of results) console.log(row(r));
  console.log("\nparley / faye (lower is better):");
  for (const scenario of scenarios) {
    const faye = results.find((r) => r.scenario === scenario && r.kind === "faye");
    const parley = results.find((r) => r.scenario === scenario && r.kind === "parley");
    if (faye === undefined || parley === undefined) continue;
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "n/a");
    console.log(
      `  ${scenario.transport} x${scenario.clients}: CPU/msg ${ratio(parley.cpuPerMessage, faye.cpuPerMessage)}, ` +
        `burst CPU/msg ${ratio(parley.burstCpuPerMessage, faye.burstCpuPerMessage)}, burst p99 ${ratio(parley.burstP99, faye.burstP99)}, ` +
        `heap/client ${ratio(parley.heapPerClient, faye.heapPerClient)}`,
    );
  }
  console.log("\ngoals: <= 25 µs/msg long-polling, <= 12 µs/msg WebSocket, burst p99 < 100 ms at 1000 clients, < 10 KB per idle client");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * Chat benchmark: BENCH_CHATS concurrent chats (1,000 by default), once per mode, each mode on a
 * fresh server process, all in the same run (BENCH_MODES, default all four, in this order):
 *
 * - `bare`: a bare node:http + ws relay with nothing stored (the floor), v1 customers;
 * - `v1`: parley, Chat API v1 customers: raw CometD long-polling clients on `/genesys/cometd` (ack
 *   extension, as the official client) that create a chat in CometD mode and send through
 *   `ixn/chat/send`;
 * - `v2-cometd`: parley, Chat API v2 customers over CometD WebSocket (bench/chat-v2-customers.ts);
 * - `v2-rest`: parley, Chat API v2 customers over REST, polling `refresh` every 3 s as Widgets 8;
 * - `v1-two-nodes` (only when named): `v1` on two parley processes sharing PostgreSQL
 *   (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, a schema of its own
 *   dropped at the end) and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379, a key prefix
 *   of its own): customers on one node, agents on the other, so every message crosses the bus.
 *
 * Agents are CometD WebSocket clients on `/api/v2/notifications` that accept every chat offered
 * and answer through SendMessage. Each side sends one message per chat per second for
 * BENCH_SECONDS (60). Prints customer→agent and agent→customer p50/p99 latency, messages/s,
 * server CPU and memory, and messages lost per mode, with each parley mode's ratio to the bare
 * relay. Only 127.0.0.1; bounded in chats and time.
 *
 *   npm run bench:chat
 *   BENCH_CHATS=200 BENCH_SECONDS=20 npm run bench:chat
 *   BENCH_MODES=bare,v2-cometd npm run bench:chat
 *   BENCH_MODES=bare,v1,v1-two-nodes npm run bench:chat
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import WebSocket from "ws";
import { CometdV2Customer, POLL_MS, RestV2Customer, refreshTimes, stray } from "./chat-v2-customers.ts";
import { basic, call, Ledger, polls, posts, type BenchCustomer } from "./chat-wire.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHATS = Number(process.env.BENCH_CHATS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
/** Chats one agent takes at once; agents = CHATS / this. */
const PER_AGENT = 10;
const AGENTS = Math.ceil(CHATS / PER_AGENT);
const ADMIN_PASSWORD = "bench-admin-password";
const SETUP_DEADLINE_MS = 120_000;
/** After the last message is sent, how long stragglers may take before they count as lost. */
const DRAIN_MS = 5000;
/** Where the nodes of `v1-two-nodes` meet (the test suites' variables and defaults). */
const CLUSTER_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CLUSTER_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

type Kind = "parley" | "bare";

interface Stats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  heapUsed: number;
  /** Event loop delay over the window, ms. */
  loopP99: number;
  loopMax: number;
  /** Garbage collection over the window: longest pause and total, ms. */
  gcMax: number;
  gcTotal: number;
}

interface Result {
  mode: Mode;
  /** v2 REST: how long each `refresh` took to answer, over the window. */
  refreshMs: number[];
  toAgent: number[];
  toCustomer: number[];
  sent: number;
  lost: number;
  perSecond: number;
  cpuPercent: number;
  cpuPerMessageUs: number;
  rssMb: number;
  heapMb: number;
}

interface Target {
  url: string;
  child: ChildProcess;
  stats(): Promise<Stats>;
}

async function startTarget(kind: Kind, settings: Record<string, string> = {}): Promise<Target> {
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(`${ROOT}bench/chat-target.ts`, [kind, ADMIN_PASSWORD, JSON.stringify(settings)], {
    execArgv: ["--import", "tsx", ...profile],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  // A server that fails to start (a database refusing it) ends the run instead of leaving it waiting.
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve(m.url));
    child.once("exit", (code) => reject(new Error(`the ${kind} server exited (${code}) before listening`)));
  });
  return {
    url,
    child,
    stats: () =>
      new Promise((resolve) => {
        child.once("message", (m) => resolve(m as Stats));
        child.send("stats");
      }),
  };
}

/** What a mode runs against: where customers and agents connect (one node, or one each), and its servers' figures. */
interface Deployment {
  customerUrl: string;
  agentUrl: string;
  /** Every node's CPU, memory and GC added up; event-loop delay the worst node's. */
  stats(): Promise<Stats>;
  stop(): Promise<void>;
}

async function deploy(kind: Kind, nodes: 1 | 2): Promise<Deployment> {
  if (nodes === 1) {
    const target = await startTarget(kind);
    return { customerUrl: target.url, agentUrl: target.url, stats: target.stats, stop: () => stopTarget(target) };
  }
  const schema = `parley_bench_${randomBytes(6).toString("hex")}`;
  const settings = {
    DATABASE_URL: CLUSTER_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: CLUSTER_REDIS_URL,
    REDIS_PREFIX: `parley-bench-${randomBytes(6).toString("hex")}`,
  };
  const started: Target[] = [];
  const stop = async () => {
    await Promise.all(started.map(stopTarget));
    const client = new pg.Client({ connectionString: CLUSTER_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  };
  try {
    // One after the other: the first creates the schema, its tables and the admin user.
    for (let i = 0; i < nodes; i++) started.push(await startTarget(kind, settings));
  } catch (err) {
    await stop();
    throw err;
  }
  const [customers, agents] = started as [Target, Target];
  return {
    customerUrl: customers.url,
    agentUrl: agents.url,
    stats: async () => addStats(await customers.stats(), await agents.stats()),
    stop,
  };
}

async function stopTarget(target: Target): Promise<void> {
  if (target.child.exitCode !== null || target.child.signalCode !== null) return;
  const exited = once(target.child, "exit");
  target.child.kill("SIGINT");
  await exited;
}

function addStats(a: Stats, b: Stats): Stats {
  return {
    cpu: { user: a.cpu.user + b.cpu.user, system: a.cpu.system + b.cpu.system },
    rss: a.rss + b.rss,
    heapUsed: a.heapUsed + b.heapUsed,
    loopP99: Math.max(a.loopP99, b.loopP99),
    loopMax: Math.max(a.loopMax, b.loopMax),
    gcMax: Math.max(a.gcMax, b.gcMax),
    gcTotal: a.gcTotal + b.gcTotal,
  };
}

/** One customer: a raw Bayeux long-polling client (ack extension), its chat service and chat. */
class Customer implements BenchCustomer {
  readonly user: string;
  serviceId = "";
  private clientId = "";
  private ack = 0;
  private stopped = false;
  private readonly base: string;
  private readonly index: number;
  private readonly toCustomer: Ledger;
  constructor(base: string, index: number, toCustomer: Ledger) {
    this.base = base;
    this.index = index;
    this.toCustomer = toCustomer;
    this.user = `customer${index}`;
  }

  private bayeux(messages: object[]): Promise<any[]> {
    return call(this.base, "/genesys/cometd", { json: messages, headers: { gms_user: this.user }, agent: polls }).then((r) => r.body as any[]);
  }

  async start(): Promise<void> {
    const [hs] = await this.bayeux([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"], ext: { ack: true } }]);
    this.clientId = hs.clientId;
    const first = this.bayeux([{ channel: "/meta/connect", clientId: this.clientId, connectionType: "long-polling", ext: { ack: this.ack } }]);
    await this.bayeux([{ channel: "/meta/subscribe", clientId: this.clientId, subscription: "/_genesys" }]);
    void this.poll(first);
    this.serviceId = (await call(this.base, "/genesys/1/service/request-chat", { form: {}, headers: { gms_user: this.user } })).body._id;
    const started = await call(this.base, `/genesys/1/service/${this.serviceId}/ixn/chat`, {
      form: { notify_by: "comet", firstName: "Bench", lastName: `C${this.index}`, bench_chat: String(this.index) },
      headers: { gms_user: this.user },
    });
    if (started.status !== 200) throw new Error(`ixn/chat failed: ${started.status} ${JSON.stringify(started.body)}`);
  }

  private async poll(first: Promise<any[]>): Promise<void> {
    let replies = await first.catch(() => null);
    while (!this.stopped && replies !== null) {
      for (const m of replies) {
        if (m.channel === "/meta/connect" && typeof m.ext?.ack === "number") this.ack = m.ext.ack;
        for (const entry of (m.data?.message?.transcriptToShow ?? []) as string[][]) {
          if (entry[4] === "AGENT" && entry[0] === "Message.Text" && entry[2] !== undefined) this.toCustomer.arrived(entry[2]);
        }
      }
      replies = await this.bayeux([{ channel: "/meta/connect", clientId: this.clientId, connectionType: "long-polling", ext: { ack: this.ack } }]).catch(
        () => null,
      );
    }
  }

  send(ledger: Ledger, seq: number): void {
    const text = `c:${this.index}:${seq}`;
    ledger.track(text, call(this.base, `/genesys/1/service/${this.serviceId}/ixn/chat/send`, { form: { message: text }, headers: { gms_user: this.user } }));
  }

  stop(): void {
    this.stopped = true;
  }
}

/** One agent: a session cookie, a WebSocket Bayeux client; accepts every offer, records customer messages. */
async function startAgent(
  kind: Kind,
  base: string,
  index: number,
  onOffer: (chat: number, id: string, auth: Record<string, string>) => void,
  toAgent: Ledger,
): Promise<WebSocket> {
  let auth: Record<string, string> = {};
  if (kind === "parley") {
    const name = `agent${index}`;
    const created = await call(base, "/api/v2/users", {
      headers: basic("admin", ADMIN_PASSWORD),
      json: { userName: name, password: `${name}-password`, capacity: { chat: PER_AGENT } },
    });
    if (created.body?.statusCode !== 0) throw new Error(`could not create ${name}: ${JSON.stringify(created.body)}`);
    const me = await call(base, "/api/v2/me", { method: "GET", headers: basic(name, `${name}-password`) });
    auth = { cookie: me.cookie ?? "" };
  }
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/v2/notifications`, { headers: auth });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
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
        } else if (m.channel === "/v2/me/interactions" && m.data?.notificationType === "NewInteraction") {
          onOffer(Number(m.data.interaction.userData.bench_chat), m.data.id as string, auth);
        } else if (m.channel === "/v2/me/interactions" && m.data?.notificationType === "NewMessages") {
          for (const e of m.data.messages as { text: string; from: { type: string } }[]) if (e.from.type === "Customer") toAgent.arrived(e.text);
        }
      }
    });
  });
  send([{ channel: "/meta/handshake", version: "1.0", ext: { ack: true } }]);
  await subscribed;
  if (kind === "parley") await call(base, "/api/v2/me/channels/chat", { headers: auth, json: { operationName: "Ready" } });
  return ws;
}

type CustomerClass = new (base: string, index: number, toCustomer: Ledger) => BenchCustomer;

/** Each mode: the server it runs against (its nodes), its customers, and its label. */
const MODES = {
  bare: { kind: "bare", nodes: 1, label: "bare relay (v1 wire)", customer: Customer },
  v1: { kind: "parley", nodes: 1, label: "v1 CometD long-poll", customer: Customer },
  "v2-cometd": { kind: "parley", nodes: 1, label: "v2 CometD WebSocket", customer: CometdV2Customer },
  "v2-rest": { kind: "parley", nodes: 1, label: "v2 REST poll 3 s", customer: RestV2Customer },
  "v1-two-nodes": { kind: "parley", nodes: 2, label: "v1, 2 nodes PG+Redis", customer: Customer },
} satisfies Record<string, { kind: Kind; nodes: 1 | 2; label: string; customer: CustomerClass }>;
type Mode = keyof typeof MODES;

/** What runs when BENCH_MODES is not given: the single-node modes (two nodes need PostgreSQL and Redis). */
const DEFAULT_MODES: Mode[] = ["bare", "v1", "v2-cometd", "v2-rest"];
const modes = (process.env.BENCH_MODES ?? DEFAULT_MODES.join(",")).split(",").map((m) => m.trim());
for (const m of modes) if (!(m in MODES)) throw new Error(`BENCH_MODES: unknown mode ${m} (known: ${Object.keys(MODES).join(", ")})`);

async function run(mode: Mode): Promise<Result> {
  const { kind, nodes } = MODES[mode];
  const deployment = await deploy(kind, nodes);
  try {
    return await measure(mode, deployment);
  } finally {
    await deployment.stop();
  }
}

async function measure(mode: Mode, target: Deployment): Promise<Result> {
  const { kind, customer } = MODES[mode];
  stray.clear();
  const toAgent = new Ledger();
  const toCustomer = new Ledger();
  const accepted = new Map<number, { id: string; auth: Record<string, string> }>();
  const onOffer = (chat: number, id: string, auth: Record<string, string>) => {
    call(target.agentUrl, `/api/v2/me/interactions/${id}`, { headers: auth, json: { operationName: "Accept" } })
      .then(() => accepted.set(chat, { id, auth }))
      .catch(() => {});
  };
  const sockets: WebSocket[] = [];
  for (let i = 0; i < AGENTS; i += 20) {
    sockets.push(
      ...(await Promise.all(Array.from({ length: Math.min(20, AGENTS - i) }, (_, k) => startAgent(kind, target.agentUrl, i + k, onOffer, toAgent)))),
    );
  }
  const customers = Array.from({ length: CHATS }, (_, i) => new customer(target.customerUrl, i, toCustomer));
  for (let i = 0; i < CHATS; i += 50) await Promise.all(customers.slice(i, i + 50).map((c) => c.start()));
  const setupDeadline = performance.now() + SETUP_DEADLINE_MS;
  while (accepted.size < CHATS && performance.now() < setupDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (accepted.size < CHATS) console.log(`${mode}: only ${accepted.size} of ${CHATS} chats were accepted within ${SETUP_DEADLINE_MS} ms`);

  const before = await target.stats();
  refreshTimes.length = 0;
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  // Every chat sends once a second on each side, spread evenly over the second.
  let tick = 0;
  const ticks = SECONDS * 100;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(ticks, Math.floor(elapsed / 10));
      for (; tick < due; tick++) {
        const second = Math.floor(tick / 100);
        for (let chat = tick % 100; chat < CHATS; chat += 100) {
          const customer = customers[chat];
          if (customer === undefined) break;
          customer.send(toAgent, second);
          const a = accepted.get(chat);
          if (a === undefined) continue;
          const text = `a:${chat}:${second}`;
          toCustomer.track(text, call(target.agentUrl, `/api/v2/me/interactions/${a.id}`, { headers: a.auth, json: { operationName: "SendMessage", text } }));
        }
      }
      if (tick >= ticks) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const windowSeconds = (performance.now() - started) / 1000;
  const after = await target.stats();
  const client = process.cpuUsage(clientBefore);
  const refreshMs = refreshTimes.splice(0);
  // The simulated clients share the machine with the server: when they run short of CPU, their latencies grow too.
  console.log(
    `${mode}: server event loop delay over the run p99 ${after.loopP99.toFixed(1)} ms, max ${after.loopMax.toFixed(1)} ms; ` +
      `GC longest ${after.gcMax.toFixed(1)} ms, total ${after.gcTotal.toFixed(0)} ms; ` +
      `bench clients' CPU ${((client.user + client.system) / 10_000 / windowSeconds).toFixed(0)} %, load average ${loadavg()[0]?.toFixed(1)}`,
  );
  // A REST customer sees an agent's message at its next poll, up to a poll interval later.
  const drainDeadline = performance.now() + DRAIN_MS + (mode === "v2-rest" ? POLL_MS : 0);
  while ((toAgent.pending.size > 0 || toCustomer.pending.size > 0) && performance.now() < drainDeadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  for (const c of customers) c.stop();
  for (const ws of sockets) ws.terminate();
  const received = toAgent.latencies.length + toCustomer.latencies.length;
  for (const [name, ledger] of [
    ["customer→agent", toAgent],
    ["agent→customer", toCustomer],
  ] as const) {
    if (ledger.failures.size > 0) console.log(`${mode}: ${name} sends not acknowledged: ${JSON.stringify(Object.fromEntries(ledger.failures))}`);
    if (ledger.pending.size > 0)
      console.log(`${mode}: ${name} acknowledged but never delivered: ${ledger.pending.size}, e.g. ${[...ledger.pending.keys()].slice(0, 5).join(", ")}`);
  }
  if (stray.size > 0) console.log(`${mode}: refusals not tied to a send: ${JSON.stringify(Object.fromEntries(stray))}`);
  const cpuUs = after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
  return {
    mode,
    refreshMs,
    toAgent: toAgent.latencies,
    toCustomer: toCustomer.latencies,
    sent: toAgent.sent + toCustomer.sent,
    lost: toAgent.pending.size + toCustomer.pending.size,
    perSecond: received / windowSeconds,
    cpuPercent: cpuUs / 10_000 / windowSeconds,
    cpuPerMessageUs: cpuUs / Math.max(1, received),
    rssMb: after.rss / 1_048_576,
    heapMb: after.heapUsed / 1_048_576,
  };
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const results: Result[] = [];
for (const mode of modes as Mode[]) results.push(await run(mode));
posts.destroy();
polls.destroy();
console.log(`\nchat: ${CHATS} chats, ${AGENTS} agents (CometD WebSocket), 1 message per chat per second each way, ${SECONDS} s\n`);
const columns = ["c→a p50/p99 ms", "a→c p50/p99 ms", "msg/s", "lost", "CPU %", "µs/msg", "rss MB", "heap MB"];
console.log(`${"customers".padEnd(22)} ${columns.map((c) => c.padStart(Math.max(7, c.length))).join(" ")}`);
for (const r of results) {
  const lat = (v: number[]) => `${pct(v, 50).toFixed(1)}/${pct(v, 99).toFixed(1)}`;
  const cells = [
    lat(r.toAgent),
    lat(r.toCustomer),
    r.perSecond.toFixed(0),
    String(r.lost),
    r.cpuPercent.toFixed(0),
    r.cpuPerMessageUs.toFixed(0),
    r.rssMb.toFixed(0),
    r.heapMb.toFixed(0),
  ];
  console.log(`${MODES[r.mode].label.padEnd(22)} ${cells.map((c, i) => c.padStart(Math.max(7, columns[i]?.length ?? 0))).join(" ")}`);
}
if (results.some((r) => MODES[r.mode].nodes > 1))
  console.log("(two nodes: CPU, µs/msg, rss and heap are both nodes' together; customers on one, agents on the other)");
const bare = results.find((r) => r.mode === "bare");
const ratio = (a: number, b: number | undefined) => (b !== undefined && b > 0 ? (a / b).toFixed(2) : "n/a");
console.log("");
for (const r of results) {
  if (r.mode === "bare") continue;
  const label = MODES[r.mode].label;
  if (bare !== undefined)
    console.log(
      `${label} / bare: c→a p99 ${ratio(pct(r.toAgent, 99), pct(bare.toAgent, 99))}, a→c p99 ${ratio(pct(r.toCustomer, 99), pct(bare.toCustomer, 99))}, ` +
        `CPU/msg ${ratio(r.cpuPerMessageUs, bare.cpuPerMessageUs)}`,
    );
  if (r.mode === "v2-rest")
    console.log(
      `${label}: a→c waits for the next refresh (every ${POLL_MS / 1000} s); the server answered ${r.refreshMs.length} refreshes in p50 ${pct(r.refreshMs, 50).toFixed(1)} / p99 ${pct(r.refreshMs, 99).toFixed(1)} ms`,
    );
  // Over REST the server's part of agent→customer is answering the refresh; the rest is the poll interval.
  const [second, p99] = r.mode === "v2-rest" ? ["refresh answer", pct(r.refreshMs, 99)] : ["a→c", pct(r.toCustomer, 99)];
  console.log(
    `${label}: goal p99 under 50 ms both ways, 0 lost: c→a ${pct(r.toAgent, 99).toFixed(1)} / ${second} ${p99.toFixed(1)} ms, ${r.lost} lost of ${r.sent}`,
  );
}
process.exit(0);

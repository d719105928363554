/**
 * Routing benchmark: 200 simulated agents on CometD (WebSocket, authenticated with Basic), Ready
 * on open media; interactions submitted at a steady rate through the agent API; each agent
 * Accepts and completes (StopProcessing) what it is offered at once. Prints assignments per
 * second and p50/p99 from submit to the agent's notification, for parley and for a bare
 * node:http + ws server that pushes each submission straight to the next agent (the floor),
 * measured in the same run, with parley's ratio to it. Only 127.0.0.1; bounded in count and time.
 *
 *   npm run bench:routing
 *   BENCH_AGENTS=200 BENCH_INTERACTIONS=10000 BENCH_RATE=200 npm run bench:routing   (BENCH_PROFILE=<dir>: CPU profiles)
 *   BENCH_MODES=bare,parley,parley-two-nodes npm run bench:routing   (two nodes: PostgreSQL at TEST_DATABASE_URL
 *     and Redis at TEST_REDIS_URL, the test suites' defaults; prints double offers, which must be 0)
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import pg from "pg";
import WebSocket from "ws";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const AGENTS = Number(process.env.BENCH_AGENTS ?? 200);
const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const DEADLINE_MS = 120_000;
const ADMIN_PASSWORD = "bench-admin-password";

type Kind = "parley" | "bare";
/** `parley-two-nodes`: two parley processes sharing PostgreSQL and Redis, agents and submissions spread over both. */
type Mode = Kind | "parley-two-nodes";
const MODES = (process.env.BENCH_MODES ?? "bare,parley").split(",").map((m) => m.trim()) as Mode[];
for (const mode of MODES)
  if (!["bare", "parley", "parley-two-nodes"].includes(mode)) throw new Error(`BENCH_MODES: ${mode} is not bare, parley or parley-two-nodes`);
/** Where the nodes of `parley-two-nodes` meet (the test suites' variables and defaults). */
const CLUSTER_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CLUSTER_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
interface Result {
  mode: Mode;
  assigned: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system, every node's) per assignment, ms. */
  cpuPerAssignment: number;
  /** Interactions offered more than once (agents accept every offer at once: never expected). */
  doubleOffers: number;
}

const http = new Agent({ keepAlive: true, maxSockets: 64 });

function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: any; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${base}${path}`,
      { method, agent: http, headers: { ...headers, ...(payload ? { "content-type": "application/json" } : {}) } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, cookie: res.headers["set-cookie"]?.[0]?.split(";")[0] }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

async function startTarget(kind: Kind, settings: Record<string, string> = {}): Promise<Target> {
  // BENCH_PROFILE=<dir> writes a CPU profile of each server under test there.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(`${ROOT}bench/routing-target.ts`, [kind, ADMIN_PASSWORD, JSON.stringify(settings)], {
    execArgv: ["--import", "tsx", ...profile],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve) => child.once("message", (m: { url: string }) => resolve(m.url)));
  return { url, child };
}

interface Target {
  url: string;
  child: ChildProcess;
}

/** Asks a target process something and waits for its answer. */
function ask<T>(target: Target, question: "mark" | "stalls"): Promise<T> {
  return new Promise<T>((resolve) => {
    target.child.once("message", (m: T) => resolve(m));
    target.child.send(question);
  });
}

/**
 * The servers of a mode: one, or two parley nodes sharing PostgreSQL (a schema of its own,
 * dropped at the end) and Redis (a key prefix of its own).
 */
async function deploy(mode: Mode): Promise<{ targets: Target[]; stop(): Promise<void> }> {
  if (mode !== "parley-two-nodes") {
    const target = await startTarget(mode);
    return { targets: [target], stop: async () => void target.child.kill("SIGINT") };
  }
  const schema = `parley_bench_${randomBytes(6).toString("hex")}`;
  const settings = {
    DATABASE_URL: CLUSTER_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: CLUSTER_REDIS_URL,
    REDIS_PREFIX: `parley-bench-${randomBytes(6).toString("hex")}`,
  };
  const targets: Target[] = [];
  const stop = async () => {
    for (const t of targets) t.child.kill("SIGINT");
    await Promise.all(targets.map((t) => new Promise((resolve) => (t.child.exitCode !== null ? resolve(null) : t.child.once("exit", resolve)))));
    const client = new pg.Client({ connectionString: CLUSTER_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  };
  // One after the other: the first creates the schema, its tables and the admin user.
  for (let i = 0; i < 2; i++) targets.push(await startTarget("parley", settings));
  return { targets, stop };
}

/** One agent: a session cookie, a WebSocket Bayeux client, Accept + StopProcessing on every offer. */
async function startAgent(kind: Kind, base: string, index: number, onOffer: (seq: number) => void): Promise<WebSocket> {
  let auth: Record<string, string> = {};
  if (kind === "parley") {
    const name = `agent${index}`;
    const created = await call(base, "POST", "/api/v2/users", basic("admin", ADMIN_PASSWORD), {
      userName: name,
      password: `${name}-password`,
      capacity: { openmedia: 3 },
    });
    if (created.body?.statusCode !== 0) throw new Error(`could not create ${name}: ${JSON.stringify(created.body)}`);
    const me = await call(base, "GET", "/api/v2/me", basic(name, `${name}-password`));
    auth = { cookie: me.cookie ?? "" };
  }
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/v2/notifications`, { headers: auth });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let clientId = "";
  const send = (messages: object[]) => ws.send(JSON.stringify(messages));
  const subscribed = new Promise<void>((resolve) => {
    ws.on("message", (raw: Buffer) => {
      for (const m of JSON.parse(raw.toString()) as { channel: string; clientId?: string; data?: any }[]) {
        if (m.channel === "/meta/handshake") {
          clientId = m.clientId ?? "";
          send([
            { channel: "/meta/subscribe", clientId, subscription: "/v2/me/interactions" },
            { channel: "/meta/connect", clientId, connectionType: "websocket" },
          ]);
        } else if (m.channel === "/meta/subscribe") resolve();
        else if (m.channel === "/meta/connect") send([{ channel: "/meta/connect", clientId, connectionType: "websocket" }]);
        else if (m.channel === "/v2/me/interactions" && m.data?.notificationType === "NewInteraction") {
          onOffer(Number(m.data.interaction.userData.seq));
          const id = m.data.id as string;
          call(base, "POST", `/api/v2/me/interactions/${id}`, auth, { operationName: "Accept" })
            .then(() => call(base, "POST", `/api/v2/me/interactions/${id}`, auth, { operationName: "StopProcessing" }))
            .catch(() => {}); // the run may end (and its server stop) with answers in flight
        }
      }
    });
  });
  send([{ channel: "/meta/handshake", version: "1.0" }]);
  await subscribed;
  if (kind === "parley") await call(base, "POST", "/api/v2/me/channels/openmedia", auth, { operationName: "Ready" });
  return ws;
}

async function run(mode: Mode): Promise<Result> {
  const kind: Kind = mode === "bare" ? "bare" : "parley";
  const deployment = await deploy(mode);
  const { targets } = deployment;
  /** Agent i, and submission i, go to node i modulo the number of nodes. */
  const urlOf = (i: number) => (targets[i % targets.length] as Target).url;
  const submitted = new Map<number, number>();
  const offeredTimes = new Map<number, number>();
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onOffer = (seq: number) => {
    offeredTimes.set(seq, (offeredTimes.get(seq) ?? 0) + 1);
    const at = submitted.get(seq);
    if (at === undefined) return;
    submitted.delete(seq);
    latencies.push(performance.now() - at);
    if (latencies.length === INTERACTIONS) done();
  };
  const failures: string[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < AGENTS; i += 20) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(20, AGENTS - i) }, (_, k) => startAgent(kind, urlOf(i + k), i + k, onOffer)))));
  }
  const admin = basic("admin", ADMIN_PASSWORD);
  await Promise.all(targets.map((t) => ask(t, "mark")));
  const started = performance.now();
  const interval = 1000 / RATE;
  for (let seq = 0; seq < INTERACTIONS; seq++) {
    const due = started + seq * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    submitted.set(seq, performance.now());
    call(urlOf(seq), "POST", "/api/v2/interactions", admin, { mediaType: "openmedia", properties: { seq } }).then(
      (reply) => {
        if (reply.body?.statusCode !== 0) failures.push(`${reply.status} ${JSON.stringify(reply.body)}`);
      },
      (err: Error) => failures.push(err.message),
    );
  }
  const timeout = setTimeout(done, DEADLINE_MS);
  await finished;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  const loops = await Promise.all(targets.map((t) => ask<{ loopP99: number; loopMax: number; cpuMs: number }>(t, "stalls")));
  for (const [i, loop] of loops.entries())
    console.log(
      `${mode}${targets.length > 1 ? ` node ${i}` : ""}: server event loop stalls p99 ${loop.loopP99.toFixed(1)} ms, max ${loop.loopMax.toFixed(1)} ms`,
    );
  for (const ws of sockets) ws.terminate();
  http.destroy();
  await deployment.stop();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  if (failures.length > 0) console.log(`${mode}: ${failures.length} submissions failed, e.g. ${failures.slice(0, 3).join("; ")}`);
  if (submitted.size > 0)
    console.log(`${mode}: ${submitted.size} submitted interactions never reached an agent (seq ${[...submitted.keys()].slice(0, 10).join(", ")})`);
  // Agents accept at once and never reject: an interaction offered twice is a double offer.
  const doubleOffers = [...offeredTimes.values()].filter((n) => n > 1).length;
  return {
    mode,
    assigned: latencies.length,
    perSecond: latencies.length / seconds,
    p50: pct(50),
    p99: pct(99),
    cpuPerAssignment: loops.reduce((sum, l) => sum + l.cpuMs, 0) / Math.max(1, latencies.length),
    doubleOffers,
  };
}

const results: Result[] = [];
for (const mode of MODES) results.push(await run(mode));
console.log(`\nrouting: ${AGENTS} agents on CometD (WebSocket), ${INTERACTIONS} interactions at ${RATE}/s, each accepted and completed at once\n`);
console.log(
  `${"server".padEnd(18)} ${"assigned".padStart(9)} ${"per s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"CPU ms/assignment".padStart(18)} ${"double offers".padStart(14)}`,
);
for (const r of results)
  console.log(
    `${r.mode.padEnd(18)} ${String(r.assigned).padStart(9)} ${r.perSecond.toFixed(0).padStart(8)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.cpuPerAssignment.toFixed(3).padStart(18)} ${String(r.doubleOffers).padStart(14)}`,
  );
const bare = results.find((r) => r.mode === "bare");
for (const r of results) {
  if (r === bare || bare === undefined) continue;
  console.log(
    `${r.mode} / bare: assignments/s ${(r.perSecond / bare.perSecond).toFixed(2)}, p50 ${(r.p50 / bare.p50).toFixed(2)}, p99 ${(r.p99 / bare.p99).toFixed(2)}, CPU per assignment ${(r.cpuPerAssignment / bare.cpuPerAssignment).toFixed(2)}`,
  );
}
process.exit(0);

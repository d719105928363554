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
 */
import { fork, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const AGENTS = Number(process.env.BENCH_AGENTS ?? 200);
const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const DEADLINE_MS = 120_000;
const ADMIN_PASSWORD = "bench-admin-password";

type Kind = "parley" | "bare";
interface Result {
  kind: Kind;
  assigned: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per assignment, ms. */
  cpuPerAssignment: number;
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

async function startTarget(kind: Kind): Promise<{ url: string; child: ChildProcess }> {
  // BENCH_PROFILE=<dir> writes a CPU profile of each server under test there.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(`${ROOT}bench/routing-target.ts`, [kind, ADMIN_PASSWORD], {
    execArgv: ["--import", "tsx", ...profile],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve) => child.once("message", (m: { url: string }) => resolve(m.url)));
  return { url, child };
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

async function run(kind: Kind): Promise<Result> {
  const target = await startTarget(kind);
  const submitted = new Map<number, number>();
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onOffer = (seq: number) => {
    const at = submitted.get(seq);
    if (at === undefined) return;
    submitted.delete(seq);
    latencies.push(performance.now() - at);
    if (latencies.length === INTERACTIONS) done();
  };
  const failures: string[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < AGENTS; i += 20) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(20, AGENTS - i) }, (_, k) => startAgent(kind, target.url, i + k, onOffer)))));
  }
  const admin = basic("admin", ADMIN_PASSWORD);
  await new Promise<void>((resolve) => {
    target.child.once("message", () => resolve());
    target.child.send("mark");
  });
  const started = performance.now();
  const interval = 1000 / RATE;
  for (let seq = 0; seq < INTERACTIONS; seq++) {
    const due = started + seq * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    submitted.set(seq, performance.now());
    call(target.url, "POST", "/api/v2/interactions", admin, { mediaType: "openmedia", properties: { seq } }).then(
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
  const loop = await new Promise<{ loopP99: number; loopMax: number; cpuMs: number }>((resolve) => {
    target.child.once("message", (m: { loopP99: number; loopMax: number; cpuMs: number }) => resolve(m));
    target.child.send("stalls");
  });
  console.log(`${kind}: server event loop stalls p99 ${loop.loopP99.toFixed(1)} ms, max ${loop.loopMax.toFixed(1)} ms`);
  for (const ws of sockets) ws.terminate();
  http.destroy();
  target.child.kill("SIGINT");
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  if (failures.length > 0) console.log(`${kind}: ${failures.length} submissions failed, e.g. ${failures.slice(0, 3).join("; ")}`);
  if (submitted.size > 0)
    console.log(`${kind}: ${submitted.size} submitted interactions never reached an agent (seq ${[...submitted.keys()].slice(0, 10).join(", ")})`);
  return {
    kind,
    assigned: latencies.length,
    perSecond: latencies.length / seconds,
    p50: pct(50),
    p99: pct(99),
    cpuPerAssignment: loop.cpuMs / Math.max(1, latencies.length),
  };
}

const results: Result[] = [];
for (const kind of ["bare", "parley"] as const) results.push(await run(kind));
const [bare, parley] = results as [Result, Result];
console.log(`\nrouting: ${AGENTS} agents on CometD (WebSocket), ${INTERACTIONS} interactions at ${RATE}/s, each accepted and completed at once\n`);
console.log(
  `${"server".padEnd(10)} ${"assigned".padStart(9)} ${"per s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"CPU ms/assignment".padStart(18)}`,
);
for (const r of results)
  console.log(
    `${r.kind.padEnd(10)} ${String(r.assigned).padStart(9)} ${r.perSecond.toFixed(0).padStart(8)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.cpuPerAssignment.toFixed(3).padStart(18)}`,
  );
console.log(
  `\nparley / bare: assignments/s ${(parley.perSecond / bare.perSecond).toFixed(2)}, p50 ${(parley.p50 / bare.p50).toFixed(2)}, p99 ${(parley.p99 / bare.p99).toFixed(2)}, CPU per assignment ${(parley.cpuPerAssignment / bare.cpuPerAssignment).toFixed(2)}`,
);
console.log(`goal: p99 from submit to notification under 20 ms (parley: ${parley.p99.toFixed(1)} ms)`);
process.exit(0);

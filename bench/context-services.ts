/**
 * Context Services benchmark: parley's durable `POST /services/start` and `GET /services/{id}`
 * on SQLite against a bare node:http JSON server, in one run. Both servers run side by side and
 * the cases alternate for several rounds, so the machine's noise hits both alike; the medians
 * are reported with the ratio to the baseline. `GET /health` shows what the framework alone
 * costs. Talks only to 127.0.0.1 and stops by itself.
 *
 *   npm run bench
 *   BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_CONNECTIONS=32 npm run bench
 */
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const HEADERS = { "content-type": "application/json" };
/** Seed 001's Start Service example (repaired): a realistic body with three extensions. */
const START_BODY = JSON.stringify({
  timestamp: "2009-05-12T12:05:12.145Z",
  interaction_id: "123ABCAADFJ1259ACF",
  media_type: 1,
  resource_id: 5005,
  resource_type: 2,
  customer_id: "ABC1234",
  service_type: "MyService1",
  coupon: { coupon_name: "DISCOUNTCODE15" },
  satisfaction: { score: 85, agentID: 2025 },
  relatedOffers: [{ offer_name: "VIP credit card black ed.", comments: "proposed to all client" }],
});

interface Case {
  name: string;
  options: autocannon.Options;
  rps: number[];
  p99: number[];
  errors: number;
}

function startProcess(args: string[], env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (url !== undefined) resolve({ url, child });
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const baseline = await startProcess(["bench/baseline-server.ts"], {});
  const parley = await startProcess(["src/main.ts"], {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    DATABASE_URL: `sqlite:${join(dir, "bench.db")}`,
  });
  try {
    const cs = `${parley.url}/genesys/1/cs`;
    const created = await fetch(`${cs}/services/start`, { method: "POST", headers: HEADERS, body: START_BODY });
    const { service_id } = (await created.json()) as { service_id: number };
    const post = { method: "POST" as const, headers: HEADERS, body: START_BODY };
    const cases: Case[] = [
      { name: "baseline POST (node:http)", options: { url: baseline.url, ...post }, rps: [], p99: [], errors: 0 },
      { name: "parley POST /services/start", options: { url: `${cs}/services/start`, ...post }, rps: [], p99: [], errors: 0 },
      { name: "baseline GET (node:http)", options: { url: `${baseline.url}/x` }, rps: [], p99: [], errors: 0 },
      { name: "parley GET /services/{id}", options: { url: `${cs}/services/${service_id}` }, rps: [], p99: [], errors: 0 },
      { name: "parley GET /health (framework)", options: { url: `${parley.url}/health` }, rps: [], p99: [], errors: 0 },
    ];
    // A short warm-up lets the JIT and the caches settle before anything is measured.
    for (const c of cases) await autocannon({ ...c.options, duration: 1, connections: CONNECTIONS });
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        const r = await autocannon({ ...c.options, duration: SECONDS, connections: CONNECTIONS });
        c.rps.push(r.requests.average);
        c.p99.push(r.latency.p99);
        c.errors += r.errors + r.timeouts + r.non2xx;
      }
    }
    report(cases);
  } finally {
    await stop(parley.child);
    await stop(baseline.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(cases: Case[]): void {
  const [basePost, post, baseGet, get, health] = cases;
  if (!basePost || !post || !baseGet || !get || !health) throw new Error("missing cases");
  const ratio = (c: Case, base: Case) => median(c.rps) / median(base.rps);
  console.log(`\nContext Services on SQLite: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s, medians\n`);
  console.log("case                               req/s    p99 ms   errors   ratio to baseline");
  const rows: [Case, number][] = [
    [basePost, 1],
    [post, ratio(post, basePost)],
    [baseGet, 1],
    [get, ratio(get, baseGet)],
    [health, ratio(health, baseGet)],
  ];
  for (const [c, r] of rows) {
    const rps = median(c.rps).toFixed(0).padStart(7);
    const p99 = median(c.p99).toFixed(1).padStart(8);
    console.log(`${c.name.padEnd(33)} ${rps} ${p99} ${String(c.errors).padStart(8)}   ${r.toFixed(2)}`);
  }
  console.log(`\ndurable writes: ${ratio(post, basePost).toFixed(2)} of baseline (goal 0.50); reads: ${ratio(get, baseGet).toFixed(2)} (goal 0.70)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

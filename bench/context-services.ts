/**
 * Context Services benchmark: parley's durable `POST /services/start` and `GET /services/{id}`
 * on SQLite against a bare node:http JSON server, in one run. Both servers run side by side and
 * the cases alternate for several rounds, so the machine's noise hits both alike; the medians
 * are reported with the ratio to the baseline. `GET /health` shows what the framework alone
 * costs. Reads come twice: one service over and over, and BENCH_SPREAD services (10,000) at
 * random, so a read kept in memory is not measured only on the hottest possible key (the
 * baseline then gets the same random paths: making them costs autocannon, on the same cores); with
 * CS_SERVICE_CACHE_MB=0 in the environment every read goes to SQLite. Talks only to 127.0.0.1
 * and stops by itself.
 *
 * parley runs from its build (`dist/`, as `npm start` runs it; `npm run bench` builds first;
 * BENCH_SOURCE=1 runs the sources through tsx instead). Each row also shows the server's CPU per
 * request, read from /proc over the round, and its ratio to the baseline's.
 *
 * CPU per request at full speed depends on the speed itself on this kind of machine: a response
 * written while the client sleeps wakes it, and that wake-up is paid inside the server's
 * `writev`, so a slower server pays more per request. Each round therefore also offers every
 * case the same fixed rate (BENCH_RATE, well under every server's capacity) and reports CPU per
 * request at that equal load: what the work of one request costs, all else being equal.
 *
 *   npm run bench
 *   CS_SERVICE_CACHE_MB=0 npm run bench
 *   BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_CONNECTIONS=32 BENCH_RATE=3000 npm run bench
 */
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Requests per second offered to every case for the equal-load CPU figure. */
const RATE = Number(process.env.BENCH_RATE ?? 4000);
/** Services read at random by the spread-out read case: more than a hot set, all in the cache. */
const SPREAD = Number(process.env.BENCH_SPREAD ?? 10_000);
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
  /** The server process answering this case (its CPU is read from /proc). */
  pid: number;
  rps: number[];
  p99: number[];
  /** Server CPU per request, microseconds, per round; and the part of it spent in the kernel. */
  cpu: number[];
  system: number[];
  /** The same at RATE requests per second (equal load), per round. */
  cpuAtRate: number[];
  errors: number;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** A process's CPU time so far, user and system, microseconds; from /proc, so no cooperation is needed. */
function cpuMicros(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: (Number(fields[11]) / USER_HZ) * 1e6, system: (Number(fields[12]) / USER_HZ) * 1e6 };
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

/** One autocannon run of a case, with the server's CPU per request over it. */
async function measure(c: Case, extra: Partial<autocannon.Options>) {
  const before = cpuMicros(c.pid);
  const result = await autocannon({ ...c.options, ...extra, duration: SECONDS, connections: CONNECTIONS });
  const after = cpuMicros(c.pid);
  const requests = Math.max(1, result.requests.total);
  const system = (after.system - before.system) / requests;
  const cpu = (after.user - before.user) / requests + system;
  return { result, cpu, system, errors: result.errors + result.timeouts + result.non2xx };
}

/** Starts `count` services, 32 at a time, and returns their ids. */
async function startServices(cs: string, count: number): Promise<number[]> {
  const ids: number[] = [];
  const worker = async () => {
    while (ids.length < count) {
      const created = await fetch(`${cs}/services/start`, { method: "POST", headers: HEADERS, body: START_BODY });
      ids.push(((await created.json()) as { service_id: number }).service_id);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return ids.slice(0, count);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const baseline = await startProcess(["bench/baseline-server.ts"], {});
  const parley = await startProcess([process.env.BENCH_SOURCE === "1" ? "src/main.ts" : "dist/main.js"], {
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
    const spread = await startServices(cs, SPREAD);
    const randomService = {
      setupRequest: (req: autocannon.Request) => ({ ...req, path: `/genesys/1/cs/services/${spread[Math.floor(Math.random() * spread.length)]}` }),
    };
    const [b, p] = [baseline.child.pid ?? 0, parley.child.pid ?? 0];
    const make = (name: string, options: autocannon.Options, pid: number): Case => ({
      name,
      options,
      pid,
      rps: [],
      p99: [],
      cpu: [],
      system: [],
      cpuAtRate: [],
      errors: 0,
    });
    const cases: Case[] = [
      make("baseline POST (node:http)", { url: baseline.url, ...post }, b),
      make("parley POST /services/start", { url: `${cs}/services/start`, ...post }, p),
      make("baseline GET (node:http)", { url: `${baseline.url}/x` }, b),
      make("parley GET /services/{id}", { url: `${cs}/services/${service_id}` }, p),
      make("baseline GET, random paths", { url: baseline.url, requests: [randomService] }, b),
      make(`parley GET, ${SPREAD} services`, { url: parley.url, requests: [randomService] }, p),
      make("parley GET /health (framework)", { url: `${parley.url}/health` }, p),
    ];
    // A short warm-up lets the JIT and the caches settle before anything is measured.
    for (const c of cases) await autocannon({ ...c.options, duration: 1, connections: CONNECTIONS });
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        const full = await measure(c, {});
        c.cpu.push(full.cpu);
        c.system.push(full.system);
        c.rps.push(full.result.requests.average);
        c.p99.push(full.result.latency.p99);
        c.errors += full.errors;
        const atRate = await measure(c, { overallRate: RATE });
        c.cpuAtRate.push(atRate.cpu);
        c.errors += atRate.errors;
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
  const [basePost, post, baseGet, get, baseSpread, getSpread, health] = cases;
  if (!basePost || !post || !baseGet || !get || !baseSpread || !getSpread || !health) throw new Error("missing cases");
  const ratio = (c: Case, base: Case) => median(c.rps) / median(base.rps);
  console.log(`\nContext Services on SQLite: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s, medians\n`);
  console.log(
    `case                               req/s    p99 ms   errors   ratio to baseline   CPU µs/req (system)   CPU ratio   at ${RATE}/s: CPU µs/req   ratio`,
  );
  const cpuRatio = (c: Case, base: Case) => median(c.cpu) / median(base.cpu);
  const equalLoadRatio = (c: Case, base: Case) => median(c.cpuAtRate) / median(base.cpuAtRate);
  const rows: [Case, Case][] = [
    [basePost, basePost],
    [post, basePost],
    [baseGet, baseGet],
    [get, baseGet],
    [baseSpread, baseSpread],
    [getSpread, baseSpread],
    [health, baseGet],
  ];
  for (const [c, base] of rows) {
    const rps = median(c.rps).toFixed(0).padStart(7);
    const p99 = median(c.p99).toFixed(1).padStart(8);
    const cpu = `${median(c.cpu).toFixed(1).padStart(12)} (${median(c.system).toFixed(1).padStart(5)})`;
    console.log(
      `${c.name.padEnd(33)} ${rps} ${p99} ${String(c.errors).padStart(8)}   ${ratio(c, base).toFixed(2).padStart(17)}${cpu}   ${cpuRatio(c, base).toFixed(2).padStart(9)}` +
        `${median(c.cpuAtRate).toFixed(1).padStart(25)}   ${equalLoadRatio(c, base).toFixed(2).padStart(5)}`,
    );
  }
  console.log(
    `\ndurable writes: ${ratio(post, basePost).toFixed(2)} of baseline (goal 0.45); reads: ${ratio(get, baseGet).toFixed(2)}, over ${SPREAD} services ${ratio(getSpread, baseSpread).toFixed(2)} (goal 0.55); ` +
      `GET CPU per request: ${cpuRatio(get, baseGet).toFixed(2)} times the baseline's at full speed, ` +
      `${equalLoadRatio(get, baseGet).toFixed(2)} at ${RATE}/s (goal at most 3)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

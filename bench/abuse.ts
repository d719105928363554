/**
 * Abuse benchmark (issue 15's proof): parley with its default limits, in its own process, with
 * Ready agents, measured in two phases of BENCH_SECONDS (20) each in the same run: a baseline
 * with only the real users, then the same real users while the anonymous abuse shapes run (disk
 * fill, chat flood, a slow reader on WebSocket, a login flood; bench/abuse-shapes.ts) from a
 * process of their own. Prints, per phase and as a ratio, the real users' latencies (a customer
 * in CometD mode over long-polling, its agent over WebSocket, a fresh login each second), the
 * server's RSS, database growth, CPU and event-loop delay; the shapes' requests by answer; the
 * database growth the settings allow (bench/abuse-bound.ts); and the goals.
 *
 * parley runs with TRUST_PROXY=true, and every simulated client sends its own address as
 * X-Forwarded-For (the server takes the last entry): one address per shape, others for the real
 * users. Only 127.0.0.1; bounded in time (well under 2 minutes) and in concurrency.
 *
 *   npm run bench:abuse
 *   BENCH_SECONDS=20 BENCH_ADDRESSES=3 npm run bench:abuse   (disk fill and chat flood from 3 addresses each)
 *   BENCH_SHAPES=slow,flood npm run bench:abuse              (only some shapes: disk, flood, slow, login)
 *   BENCH_PROFILE=<dir> npm run bench:abuse                  (a CPU profile of the server)
 *
 * Any of parley's settings in the environment apply to the server (CHAT_ENTRIES_PER_MINUTE=...),
 * and to the bound; DATABASE_URL, PORT, HOST, LOG_LEVEL and TRUST_PROXY are the bench's.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { loadConfig, type Config } from "../src/config.ts";
import { growthBound } from "./abuse-bound.ts";
import { ADMIN_PASSWORD, createAgent, sleep, type Tally } from "./abuse-http.ts";
import { printGoals, printPhases, printShapes, type PhaseResult } from "./abuse-report.ts";
import { Server } from "./abuse-server.ts";
import { SHAPES, type AttackPlan } from "./abuse-shapes.ts";
import { AGENT_ADDRESS, CUSTOMER_ADDRESS, PhaseSamples, RealUsers } from "./abuse-users.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ADDRESSES = Number(process.env.BENCH_ADDRESSES ?? 1);
const SHAPE_NAMES = (process.env.BENCH_SHAPES ?? Object.keys(SHAPES).join(",")).split(",").map((s) => s.trim());
if (SHAPE_NAMES.some((name) => SHAPES[name] === undefined)) throw new Error(`BENCH_SHAPES: some of ${Object.keys(SHAPES).join(", ")}`);
/** After a phase, how long requests in flight and messages on their way may take before they count as lost. */
const DRAIN_MS = 10_000;
/** How long the attackers may take to stop after their time is up (a delayed login answers within 5 s). */
const STOP_MS = 20_000;
const REAL_AGENT = "real-agent";
const DESK = ["desk-agent-1", "desk-agent-2"];
const ADMIN_ADDRESS = "198.51.100.1";
const DESK_ADDRESS = "198.51.100.30";

/** The server's environment: the caller's, with the bench's database, address and proxy settings. */
function serverEnv(dbFile: string): Record<string, string> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    ...inherited,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    DATABASE_URL: `sqlite:${dbFile}`,
    TRUST_PROXY: "true",
    PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PARLEY_DEMO_USERS: "false",
  };
}

/**
 * The real customer's pace: a message every 200 ms, slowed if needed so both phases stay within
 * its chat's entry rate (CHAT_ENTRIES_PER_MINUTE) with a tenth to spare: a real customer must
 * not be refused by a limit meant for floods.
 */
function customerIntervalMs(config: Config): number {
  if (config.chatEntriesPerMinute === 0) return 200;
  const entries = config.chatEntriesPerMinute * (1 + (2 * SECONDS) / 60);
  return Math.max(200, Math.ceil((2 * SECONDS * 1000) / (0.9 * entries)));
}

class Attackers {
  private readonly child: ChildProcess;
  private constructor(child: ChildProcess) {
    this.child = child;
  }

  static async start(plan: AttackPlan): Promise<Attackers> {
    const child = fork(`${ROOT}bench/abuse-attackers.ts`, [JSON.stringify(plan)], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`the attackers exited with ${code} before they were ready`)));
    });
    return new Attackers(child);
  }

  /** Runs the shapes for `ms`; resolves to their tallies once they stopped, or null if they take too long. */
  run(ms: number): Promise<Record<string, Tally> | null> {
    const done = new Promise<Record<string, Tally> | null>((resolve) => {
      this.child.once("message", (m: { tallies: Record<string, Tally>; error?: string }) => {
        if (m.error !== undefined) console.log(`the attackers failed: ${m.error}`);
        resolve(m.tallies);
      });
    });
    this.child.send({ go: ms });
    return Promise.race([done, sleep(ms + STOP_MS).then(() => null)]);
  }

  stop(): void {
    this.child.send("exit");
    setTimeout(() => this.child.kill(), 1000).unref();
  }
}

const clientLoop = monitorEventLoopDelay({ resolution: 5 });
clientLoop.enable();

async function phase(server: Server, users: RealUsers, attackers: Attackers | null): Promise<PhaseResult> {
  const samples = new PhaseSamples();
  await server.loop();
  clientLoop.reset();
  server.markRss();
  const dbBefore = server.dbBytes();
  const cpuBefore = server.cpuMs();
  const started = performance.now();
  const attacked = attackers?.run(SECONDS * 1000) ?? Promise.resolve(null);
  await users.run(samples, SECONDS * 1000);
  const [tallies] = await Promise.all([attacked, users.drain(DRAIN_MS)]);
  return {
    samples,
    tallies,
    rss: server.rssWindow(),
    dbBefore,
    dbAfter: server.dbBytes(),
    cpuMs: server.cpuMs() - cpuBefore,
    seconds: (performance.now() - started) / 1000,
    loop: await server.loop(),
    clientLoopP99: clientLoop.percentile(99) / 1e6,
  };
}

/** The machine's load average over the last minute. */
function loadAverage(): number {
  const [lastMinute] = loadavg();
  if (lastMinute === undefined) throw new Error("os.loadavg() gave no figures");
  return lastMinute;
}

const loadAtStart = loadAverage();
const dir = mkdtempSync(join(tmpdir(), "parley-abuse-bench-"));
const dbFile = join(dir, "bench.db");
const env = serverEnv(dbFile);
const config = loadConfig(env);
const server = await Server.start(env, dbFile);
const http = new Agent({ keepAlive: true });
let users: RealUsers | null = null;
let attackers: Attackers | null = null;
try {
  await createAgent(server.url, ADMIN_ADDRESS, http, REAL_AGENT, REAL_AGENT, 1);
  for (const name of DESK) await createAgent(server.url, ADMIN_ADDRESS, http, name, name, 10);
  const intervalMs = customerIntervalMs(config);
  // The real agent takes one chat, the real customer's: it is Ready before anyone else.
  users = new RealUsers(server.url, REAL_AGENT, intervalMs);
  await users.start();
  const limits = {
    messageChars: config.chatMaxMessageChars,
    dataBytes: config.chatMaxDataBytes,
    dataValueChars: config.chatMaxDataValueChars,
    fieldChars: config.chatMaxFieldChars,
  };
  attackers = await Attackers.start({
    base: server.url,
    limits,
    desk: DESK,
    deskAddress: DESK_ADDRESS,
    victim: REAL_AGENT,
    addresses: ADDRESSES,
    shapes: SHAPE_NAMES,
  });

  const base = await phase(server, users, null);
  const abuse = await phase(server, users, attackers);

  console.log(
    `\nabuse: parley (SQLite) with its default limits and TRUST_PROXY, ${DESK.length} Ready agents besides the real one; ${SECONDS} s a phase; ` +
      `shapes: ${SHAPE_NAMES.map((name) => SHAPES[name]).join(", ")}; machine load average ${loadAtStart.toFixed(1)} at the start, ${loadAverage().toFixed(1)} at the end`,
  );
  console.log(
    `real users: a customer (${CUSTOMER_ADDRESS}) in CometD mode over long-polling sending every ${intervalMs} ms` +
      `${intervalMs > 200 ? ` (200 ms slowed to stay within CHAT_ENTRIES_PER_MINUTE=${config.chatEntriesPerMinute})` : ""}; ` +
      `its agent (${AGENT_ADDRESS}, CometD WebSocket) answering each; a fresh login of that agent each second\n`,
  );
  printPhases(base, abuse);
  const range = (first: number) => (ADDRESSES === 1 ? `203.0.113.${first}` : `203.0.113.${first}-${first + ADDRESSES - 1}`);
  printShapes(abuse.tallies, { "disk fill": range(10), "chat flood": range(100), "slow reader": "203.0.113.200", "login flood": "203.0.113.250" });
  const levels = Object.entries(server.logLevels).map(([level, n]) => `${level} ${n}`);
  console.log(
    `\nserver log lines: ${levels.length === 0 ? "none" : levels.join(", ")}${server.logExamples.size > 0 ? `; e.g. ${[...server.logExamples].join(" | ")}` : ""}`,
  );
  // Addresses that create chat data: the disk fill's and the chat flood's, and the slow reader's.
  const creators = (SHAPE_NAMES.includes("disk") ? ADDRESSES : 0) + (SHAPE_NAMES.includes("flood") ? ADDRESSES : 0) + (SHAPE_NAMES.includes("slow") ? 1 : 0);
  const bound = growthBound(config, SECONDS, creators);
  console.log("");
  for (const line of bound.lines) console.log(line);
  printGoals(base, abuse, bound);
} finally {
  attackers?.stop();
  users?.stop();
  http.destroy();
  server.stop();
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

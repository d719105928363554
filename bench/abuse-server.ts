/**
 * What the abuse benchmark measures of the server, from outside where it can (so a stalled
 * server cannot delay its own figures): RSS every 250 ms and CPU time from /proc, the size of
 * its SQLite files, its log lines by level; the event-loop delay comes from inside
 * (bench/abuse-target.ts, over IPC).
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
const PAGE_BYTES = 4096;
const RSS_EVERY_MS = 250;
const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

export interface Loop {
  loopP99: number;
  loopMax: number;
}

export class Server {
  readonly url: string;
  readonly child: ChildProcess;
  private readonly dbFile: string;
  private readonly samples: number[] = [];
  private readonly sampler: NodeJS.Timeout;
  /** Log lines by level, and the first few messages at warn or above. */
  readonly logLevels: Record<string, number> = {};
  readonly logExamples = new Set<string>();

  private constructor(url: string, child: ChildProcess, dbFile: string) {
    this.url = url;
    this.child = child;
    this.dbFile = dbFile;
    this.sampler = setInterval(() => this.samples.push(this.rss()), RSS_EVERY_MS);
    if (child.stdout === null) throw new Error("the server's output is not piped to the bench");
    createInterface({ input: child.stdout }).on("line", (line) => this.log(line));
  }

  /** Starts parley in its own process with exactly `env`; `dbFile` is the SQLite file it names. */
  static async start(env: Record<string, string>, dbFile: string): Promise<Server> {
    // BENCH_PROFILE=<dir> writes a CPU profile of the server there.
    const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const child = fork(`${ROOT}bench/abuse-target.ts`, [JSON.stringify(env)], {
      execArgv: ["--import", "tsx", ...profile],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once("message", (m: { url: string }) => resolve(m.url));
      child.once("exit", (code) => reject(new Error(`the server exited with ${code} before listening`)));
    });
    return new Server(url, child, dbFile);
  }

  /** Resident memory now, bytes. */
  rss(): number {
    try {
      return Number(readFileSync(`/proc/${this.child.pid}/statm`, "utf8").split(" ")[1]) * PAGE_BYTES;
    } catch {
      return 0;
    }
  }

  /** Starts a new window of RSS samples (its first is now). */
  markRss(): void {
    this.samples.length = 0;
    this.samples.push(this.rss());
  }

  /** The window's first sample, its peak, and now. */
  rssWindow(): { start: number; peak: number; end: number } {
    const end = this.rss();
    return { start: this.samples[0] ?? end, peak: Math.max(end, ...this.samples), end };
  }

  /** CPU time so far, user and system, milliseconds. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) / USER_HZ) * 1000;
  }

  /** The database file and its write-ahead log, bytes. */
  dbBytes(): number {
    const size = (path: string) => {
      try {
        return statSync(path).size;
      } catch {
        return 0;
      }
    };
    return size(this.dbFile) + size(`${this.dbFile}-wal`);
  }

  /** The event-loop delay since the previous call (and a new window from now). */
  loop(): Promise<Loop> {
    return new Promise((resolve) => {
      this.child.once("message", (m) => resolve(m as Loop));
      this.child.send("loop");
    });
  }

  stop(): void {
    clearInterval(this.sampler);
    this.child.kill("SIGINT");
  }

  private log(line: string): void {
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line);
    } catch {
      entry = { level: 30, msg: line };
    }
    const level = LEVELS[entry.level ?? 30] ?? String(entry.level);
    this.logLevels[level] = (this.logLevels[level] ?? 0) + 1;
    if ((entry.level ?? 0) >= 40 && this.logExamples.size < 5)
      this.logExamples.add(`${level}: ${entry.msg ?? ""} ${entry.err?.message ?? ""}`.trim().slice(0, 200));
  }
}

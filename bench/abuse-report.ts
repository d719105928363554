/** The abuse benchmark's printout: both phases side by side with their ratio, the shapes' tallies, the bound and the goals. */
import type { Bound } from "./abuse-bound.ts";
import { pct, tallyLines, type Tally } from "./abuse-http.ts";
import type { Loop } from "./abuse-server.ts";
import type { PhaseSamples } from "./abuse-users.ts";

export interface PhaseResult {
  samples: PhaseSamples;
  rss: { start: number; peak: number; end: number };
  dbBefore: number;
  dbAfter: number;
  cpuMs: number;
  seconds: number;
  loop: Loop;
  /** The bench process's own event-loop delay p99 (its latencies are only as good as it). */
  clientLoopP99: number;
  tallies: Record<string, Tally> | null;
}

const GOAL_RSS_MB = 100;
const GOAL_P99_MS = 100;
const MB = 1e6;

const fix = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "-");
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}` : "-");
const spread = (v: number[]) => `${fix(pct(v, 50))} / ${fix(pct(v, 99))} / ${fix(Math.max(...v))} (${v.length})`;

const LATENCIES: [string, (s: PhaseSamples) => number[]][] = [
  ["customer send (request)", (s) => s.customerSend],
  ["customer send → agent notified", (s) => s.toAgent],
  ["agent SendMessage (request)", (s) => s.agentSend],
  ["agent SendMessage → customer", (s) => s.toCustomer],
  ["fresh agent login (Basic)", (s) => s.login],
];

export function printPhases(base: PhaseResult, abuse: PhaseResult): void {
  const rows: [string, string, string, string][] = [];
  for (const [name, of] of LATENCIES) {
    rows.push([
      `${name} p50/p99/max ms (n)`,
      spread(of(base.samples)),
      spread(of(abuse.samples)),
      ratio(pct(of(abuse.samples), 99), pct(of(base.samples), 99)),
    ]);
  }
  rows.push(["messages lost", String(base.samples.lost), String(abuse.samples.lost), ""]);
  const rss = (r: PhaseResult) => `${fix(r.rss.start / MB, 0)} / ${fix(r.rss.peak / MB, 0)} / ${fix(r.rss.end / MB, 0)}`;
  rows.push(["server RSS start/peak/end MB", rss(base), rss(abuse), ratio(abuse.rss.peak, base.rss.peak)]);
  const baseGrowth = base.rss.peak - base.rss.start;
  rows.push(["server RSS growth MB", fix(baseGrowth / MB), fix(rssGrowth(base, abuse) / MB), ratio(rssGrowth(base, abuse), baseGrowth)]);
  const db = (r: PhaseResult) => `${fix(r.dbBefore / MB)} → ${fix(r.dbAfter / MB)}`;
  rows.push(["database + WAL MB", db(base), db(abuse), ""]);
  rows.push(["database growth MB", fix(dbGrowth(base) / MB, 2), fix(dbGrowth(abuse) / MB, 2), ratio(dbGrowth(abuse), dbGrowth(base))]);
  const cpu = (r: PhaseResult) => (r.cpuMs / 10 / r.seconds).toFixed(0);
  rows.push(["server CPU, % of one core", cpu(base), cpu(abuse), ratio(abuse.cpuMs / abuse.seconds, base.cpuMs / base.seconds)]);
  rows.push([
    "server event-loop delay p99/max ms",
    `${fix(base.loop.loopP99)} / ${fix(base.loop.loopMax)}`,
    `${fix(abuse.loop.loopP99)} / ${fix(abuse.loop.loopMax)}`,
    ratio(abuse.loop.loopP99, base.loop.loopP99),
  ]);
  rows.push(["bench's own event-loop delay p99 ms", fix(base.clientLoopP99), fix(abuse.clientLoopP99), ""]);
  const titles = ["figure", "baseline", "abuse", "abuse/baseline"];
  const widths = titles.map((title, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), title.length));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  console.log(line(titles));
  for (const r of rows) console.log(line(r));
  for (const [name, r] of [
    ["baseline", base],
    ["abuse", abuse],
  ] as const) {
    const trouble = tallyLines(r.samples.trouble);
    if (trouble.length > 0) console.log(`real users' failures, ${name}: ${trouble.join("; ")}`);
  }
}

export function printShapes(tallies: Record<string, Tally> | null, addresses: Record<string, string>): void {
  console.log("\nabuse shapes, requests by answer (status; 0 = no answer):");
  if (tallies === null) {
    console.log("  the attackers did not report (they had not stopped in time)");
    return;
  }
  for (const [shape, tally] of Object.entries(tallies)) {
    console.log(`  ${shape} (${addresses[shape] ?? "?"}):`);
    for (const l of tallyLines(tally)) console.log(`    ${l}`);
  }
  const overCap = tallies["disk fill"]?.["service over the data cap"]?.["200"] ?? 0;
  if (overCap > 0) console.log(`  WRONG: ${overCap} services over the business data cap were accepted`);
}

/** RSS growth under abuse: the abuse phase's peak over where the baseline ended. */
function rssGrowth(base: PhaseResult, abuse: PhaseResult): number {
  return abuse.rss.peak - base.rss.end;
}

function dbGrowth(r: PhaseResult): number {
  return r.dbAfter - r.dbBefore;
}

export function printGoals(base: PhaseResult, abuse: PhaseResult, bound: Bound): void {
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log("\ngoals:");
  const growth = rssGrowth(base, abuse);
  console.log(
    `  RSS growth under ${GOAL_RSS_MB} MB: ${met(growth < GOAL_RSS_MB * MB)} (${fix(growth / MB)} MB: peak ${fix(abuse.rss.peak / MB)} MB under abuse, baseline ended at ${fix(base.rss.end / MB)} MB)`,
  );
  const allowed = bound.bytes + Math.max(0, dbGrowth(base));
  console.log(
    `  database growth within what the caps allow: ${met(dbGrowth(abuse) <= allowed)} (${fix(dbGrowth(abuse) / MB, 2)} MB, bound ${Number.isFinite(allowed) ? `${fix(allowed / MB)} MB` : "none"})`,
  );
  const p99s = LATENCIES.slice(0, 4).map(([name, of]) => [name, pct(of(abuse.samples), 99)] as const);
  const worst = Math.max(...p99s.map(([, v]) => (Number.isFinite(v) ? v : Number.POSITIVE_INFINITY)));
  console.log(
    `  real users' p99 under ${GOAL_P99_MS} ms under abuse: ${met(worst < GOAL_P99_MS && abuse.samples.lost === 0)} (${p99s.map(([name, v]) => `${name} ${fix(v)}`).join(", ")} ms; ${abuse.samples.lost} lost)`,
  );
  console.log(
    `  (not in that goal, a password check: fresh login p99 ${fix(pct(abuse.samples.login, 99))} ms under abuse, ${fix(pct(base.samples.login, 99))} ms in the baseline)`,
  );
}

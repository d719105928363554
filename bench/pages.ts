/**
 * The web pages' weight and load time (issue 17), in Debian's Chromium: each round opens a fresh
 * browser context (nothing cached) and measures, from navigation start, when the customer
 * widget's start form at `/` and the desktop's login form at `/agent` can be typed in, and the
 * bytes the browser received for them. The baseline, in the same run and browser: a static HTML
 * page with the same form and no script, served by bare node:http. Prints medians and p90 of
 * BENCH_ROUNDS rounds (15 by default) and parley's ratio to the baseline. Only 127.0.0.1.
 *
 *   npm run bench:pages
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { launchBrowser } from "../test/support/browser.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

const BASELINE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body>
<form><label>Name <input name="name"></label><label>Email <input name="email"></label><label>Subject <input name="subject"></label>
<button>Start chat</button></form></body></html>`;

interface Sample {
  ms: number;
  bytes: number;
}

/** Opens `url` in a fresh context and waits until the field labelled `field` is visible. */
async function load(browser: Browser, url: string, field: string): Promise<Sample> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel(field, { exact: true }).waitFor({ timeout: 15_000 });
    // Measured inside the page: navigation start to now, and what every resource took over the wire.
    return await page.evaluate(() => {
      const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")] as PerformanceResourceTiming[];
      return { ms: performance.now(), bytes: entries.reduce((sum, e) => sum + e.transferSize, 0) };
    });
  } finally {
    await context.close();
  }
}

function summary(samples: Sample[]): { p50: number; p90: number; bytes: number } {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  const bytes = samples.map((s) => s.bytes).sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
  return { p50: at(0.5), p90: at(0.9), bytes };
}

const dir = mkdtempSync(join(tmpdir(), "parley-bench-pages-"));
const app = await buildApp(
  loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", DATABASE_URL: `sqlite:${join(dir, "parley.db")}`, PARLEY_DEMO_USERS: "false" }),
);
const parley = await app.listen();
const baseline = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(BASELINE_PAGE));
await new Promise<void>((resolve) => baseline.listen(0, "127.0.0.1", resolve));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as { port: number }).port}/`;
const browser = await launchBrowser();
try {
  const results: Record<string, Sample[]> = { baseline: [], widget: [], agent: [] };
  // One warm-up each (Chromium's own start-up is not the pages' cost), then rounds interleaved.
  await load(browser, baselineUrl, "Name");
  await load(browser, `${parley}/`, "Name");
  await load(browser, `${parley}/agent`, "Username");
  for (let i = 0; i < ROUNDS; i++) {
    results.baseline?.push(await load(browser, baselineUrl, "Name"));
    results.widget?.push(await load(browser, `${parley}/`, "Name"));
    results.agent?.push(await load(browser, `${parley}/agent`, "Username"));
  }
  const base = summary(results.baseline ?? []);
  process.stdout.write(`pages: ${ROUNDS} rounds, a fresh context each (no cache), ready = the form's first field visible\n`);
  process.stdout.write("page              ready p50   ready p90   received   p50 vs baseline\n");
  for (const [name, samples] of Object.entries(results)) {
    const s = summary(samples);
    const ratio = name === "baseline" ? "" : `${(s.p50 / base.p50).toFixed(2)}x`;
    process.stdout.write(
      `${name.padEnd(16)} ${s.p50.toFixed(0).padStart(7)} ms ${s.p90.toFixed(0).padStart(8)} ms ${(s.bytes / 1024).toFixed(1).padStart(7)} KiB   ${ratio}\n`,
    );
  }
} finally {
  await browser.close();
  await app.close();
  baseline.close();
  rmSync(dir, { recursive: true, force: true });
}

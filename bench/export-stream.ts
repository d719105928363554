/**
 * Export Services stream memory: the server's peak heap growth while streaming N services with
 * `export_content=true`, for two sizes in the same run. A stream that reads page by page grows by
 * about the same for both; one that builds the whole answer grows with N. In-process, on SQLite.
 *
 *   npx tsx bench/export-stream.ts          (BENCH_SIZES=10000,50000)
 */
import { startBenchApp } from "./parley-app.ts";

const SIZES = (process.env.BENCH_SIZES ?? "10000,50000").split(",").map(Number);
const T0 = Date.parse("2019-01-01T00:00:00.000Z");

async function measure(size: number): Promise<{ size: number; growthMb: number; ms: number; bytes: number }> {
  const { app, url } = await startBenchApp("export");
  for (let i = 0; i < size; i += 1000) {
    await app.store.transaction(async (tx) => {
      for (let k = i; k < Math.min(size, i + 1000); k++) {
        await tx.services.insert({
          customerId: null,
          contactKey: `k${k}`,
          type: "support",
          started: { timestamp: new Date(T0).toISOString() },
          extensions: { Cart: { items: k, note: "x".repeat(200) } },
          startedAt: T0,
          updatedAt: T0,
          autoCompleteAfter: null,
          expiresAt: T0 + 10 * 365 * 86_400_000,
          expiryPinned: false,
        });
      }
    });
  }
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const started = performance.now();
  const reply = await fetch(`${url}/genesys/1/cs/maintenance/services/stream?time_from=2018-01-01T00:00:00Z&export_content=true`);
  let bytes = 0;
  for await (const chunk of reply.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const ms = performance.now() - started;
  clearInterval(sampler);
  await app.close();
  return { size, growthMb: (peak - base) / 1_048_576, ms, bytes };
}

const results = [];
for (const size of SIZES) results.push(await measure(size));
for (const r of results)
  console.log(
    `${String(r.size).padStart(7)} services: ${(r.bytes / 1_048_576).toFixed(1)} MB streamed in ${r.ms.toFixed(0)} ms, peak heap growth ${r.growthMb.toFixed(1)} MB`,
  );
const [small, large] = results;
if (small !== undefined && large !== undefined) {
  console.log(`heap growth ratio ${(large.growthMb / small.growthMb).toFixed(2)} for ${(large.size / small.size).toFixed(0)}x the services (1.0: flat)`);
}
process.exit(0);

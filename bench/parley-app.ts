/**
 * parley as the benchmarks run it: buildApp on a fresh SQLite file on 127.0.0.1 (unless `env`
 * names another DATABASE_URL), with the per-address caps lifted (every simulated client comes
 * from 127.0.0.1, as from behind a proxy).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

export async function startBenchApp(name: string, env: Record<string, string> = {}): Promise<{ app: App; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), `parley-${name}-bench-`));
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    DATABASE_URL: `sqlite:${join(dir, "bench.db")}`,
    MAX_CONNECTIONS_PER_IP: "0",
    BAYEUX_MAX_SESSIONS_PER_IP: "100000",
    // Every bench client comes from 127.0.0.1: the per-address queue bound would be all of them.
    BAYEUX_MAX_QUEUE_BYTES_PER_IP: String(1024 * 1024 * 1024),
    CHAT_SERVICES_PER_MINUTE_PER_IP: "0",
    CHAT_OPEN_SERVICES_PER_IP: "10000000",
    CHATS_PER_MINUTE_PER_IP: "0",
    CHAT_OPEN_CHATS_PER_IP: "10000000",
    ...env,
  });
  const app = await buildApp(config);
  return { app, url: await app.listen() };
}

/**
 * parley under the abuse benchmark, in a process of its own so its RSS and CPU are its alone:
 * buildApp with exactly the environment it is given (bench/abuse.ts passes parley's default
 * limits, TRUST_PROXY and a SQLite file in a temporary directory). Sends `{url}` over IPC once
 * listening; answers "loop" with the event-loop delay since the previous "loop" (p99 and max,
 * milliseconds) and starts a new window. Its logs go to standard output, as in production.
 *
 *   tsx bench/abuse-target.ts '<environment as JSON>'
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

const env = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>;
const app = await buildApp(loadConfig(env));
const url = await app.listen();

// How long the event loop stalls: what every request and push waits behind.
const stalls = monitorEventLoopDelay({ resolution: 5 });
stalls.enable();
process.on("message", (message) => {
  if (message !== "loop") return;
  process.send?.({ loopP99: stalls.percentile(99) / 1e6, loopMax: stalls.max / 1e6 });
  stalls.reset();
});
process.send?.({ url });
process.on("SIGINT", () => process.exit(0));

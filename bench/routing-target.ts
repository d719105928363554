/**
 * A routing server under test, in its own process: parley (buildApp on a fresh SQLite file) or
 * "bare" (node:http + ws: a submission is pushed at once to the next connected agent, round
 * robin; Accept and StopProcessing are no-ops: the floor of submit → notify → answer).
 * Sends `{url}` over IPC once listening.
 *
 *   tsx bench/routing-target.ts parley|bare <admin password> [<parley settings as JSON>]
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createServer } from "node:http";
import type { WebSocket } from "ws";
import { acceptBayeuxSockets, listenLocally } from "./bare-bayeux.ts";
import { startBenchApp } from "./parley-app.ts";

const ADMIN_PASSWORD = process.argv[3] ?? "";
/** More settings for parley (JSON): a node of a cluster is told its DATABASE_URL, DATABASE_SCHEMA, REDIS_URL and REDIS_PREFIX. */
const SETTINGS = JSON.parse(process.argv[4] ?? "{}") as Record<string, string>;

async function startParley(): Promise<string> {
  return (await startBenchApp("routing", { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ...SETTINGS })).url;
}

async function startBare(): Promise<string> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (req.url === "/api/v2/interactions") {
        const properties = (JSON.parse(body) as { properties: unknown }).properties;
        const id = String(next);
        const ws = sockets[next++ % sockets.length];
        const data = { notificationType: "NewInteraction", id, interaction: { id, userData: properties } };
        ws?.send(JSON.stringify([{ channel: "/v2/me/interactions", data }]));
        res.end(JSON.stringify({ statusCode: 0, id }));
      } else res.end('{"statusCode":0}');
    });
  });
  acceptBayeuxSockets(server, (ws) => sockets.push(ws));
  return listenLocally(server);
}

const url = await (process.argv[2] === "bare" ? startBare() : startParley());
// How long the server's event loop stalls: what its notifications wait behind.
const stalls = monitorEventLoopDelay({ resolution: 5 });
stalls.enable();
// "mark" starts counting CPU time (when the agents are set up and submissions begin); "stalls"
// answers the event loop's stalls and the CPU time used since the mark.
let cpuMark = process.cpuUsage();
process.on("message", (m) => {
  if (m === "mark") {
    cpuMark = process.cpuUsage();
    stalls.reset();
    process.send?.({ marked: true });
    return;
  }
  const cpu = process.cpuUsage(cpuMark);
  process.send?.({ loopP99: stalls.percentile(99) / 1e6, loopMax: stalls.max / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 });
});
process.send?.({ url });
// Exit normally when the bench is done, so a --cpu-prof profile gets written.
process.on("SIGINT", () => process.exit(0));

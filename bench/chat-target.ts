/**
 * A chat server under test, in its own process: parley (buildApp on a fresh SQLite file) or
 * "bare" (node:http + ws speaking just enough of the same wire: a chat goes straight to the next
 * agent socket, messages are relayed from memory with nothing stored; the floor of the same
 * exchanges). Sends `{url}` over IPC once listening; answers "stats" with its CPU and memory.
 * parley's settings may be given more (JSON), over the bench's: a node of a cluster is told its
 * DATABASE_URL, DATABASE_SCHEMA, REDIS_URL and REDIS_PREFIX this way.
 *
 *   tsx bench/chat-target.ts parley|bare <admin password> [<settings as JSON>]
 */
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { createServer, type ServerResponse } from "node:http";
import type { WebSocket } from "ws";
import { acceptBayeuxSockets, listenLocally } from "./bare-bayeux.ts";
import { startBenchApp } from "./parley-app.ts";

const ADMIN_PASSWORD = process.argv[3] ?? "";
const SETTINGS = JSON.parse(process.argv[4] ?? "{}") as Record<string, string>;

async function startParley(): Promise<string> {
  const env = {
    PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Every Chat API v2 CometD customer's socket comes from 127.0.0.1: the per-address cap on what
    // anonymous sockets send (200 messages/s) would hold 1,000 of them back to a fifth of their rate.
    WS_MAX_MESSAGES_PER_SECOND_PER_IP: "0",
    // As the bare relay's: a pooled socket closed by the server just as the bench reuses it (the
    // default 5 s, on a loaded machine) is an ECONNRESET, and one during setup ends the run.
    HTTP_KEEP_ALIVE_TIMEOUT_MS: "60000",
    ...SETTINGS,
  };
  return (await startBenchApp("chat", env)).url;
}

interface BareCustomer {
  queue: object[];
  parked: ServerResponse | null;
}

async function startBare(): Promise<string> {
  const agents: WebSocket[] = [];
  const customers = new Map<string, BareCustomer>();
  const chats = new Map<string, { user: string; agent: WebSocket | undefined; serviceId: string }>();
  let next = 0;
  const customer = (user: string): BareCustomer => {
    let c = customers.get(user);
    if (c === undefined) {
      c = { queue: [], parked: null };
      customers.set(user, c);
    }
    return c;
  };
  const toCustomer = (user: string, serviceId: string, entry: string[]) => {
    const c = customer(user);
    c.queue.push({ channel: "/_genesys", data: { tag: `service.chat.refresh.${serviceId}`, message: { transcriptToShow: [entry] } } });
    if (c.parked !== null) {
      const res = c.parked;
      c.parked = null;
      res.end(JSON.stringify([...c.queue.splice(0), { channel: "/meta/connect", successful: true }]));
    }
  };
  const toAgent = (ws: WebSocket | undefined, data: object) => ws?.send(JSON.stringify([{ channel: "/v2/me/interactions", data }]));
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const url = req.url ?? "";
      const user = String(req.headers.gms_user ?? "");
      if (url === "/genesys/cometd") {
        const replies: object[] = [];
        for (const m of JSON.parse(body) as { channel: string }[]) {
          if (m.channel === "/meta/connect") {
            const c = customer(user);
            if (c.queue.length > 0) return res.end(JSON.stringify([...c.queue.splice(0), { channel: "/meta/connect", successful: true }]));
            c.parked = res;
            return;
          }
          replies.push({ channel: m.channel, successful: true, clientId: user });
        }
        return res.end(JSON.stringify(replies));
      }
      const chat = /^\/genesys\/1\/service\/([^/]+)\/ixn\/chat(?:\/(\w+))?$/.exec(url);
      const serviceId = chat?.[1];
      if (chat !== null && serviceId !== undefined) {
        const form = new URLSearchParams(body);
        if (chat[2] === undefined) {
          const id = `ix${next}`;
          const agent = agents[next++ % agents.length];
          chats.set(id, { user, agent, serviceId });
          chats.set(serviceId, { user, agent, serviceId });
          toAgent(agent, { notificationType: "NewInteraction", id, interaction: { id, userData: { bench_chat: form.get("bench_chat") } } });
        } else {
          const entry = ["Message.Text", "customer", form.get("message") ?? "", "0", "CLIENT"];
          const c = chats.get(serviceId);
          toAgent(c?.agent, { notificationType: "NewMessages", id: serviceId, messages: [{ text: entry[2], from: { type: "Customer" } }] });
          toCustomer(user, serviceId, entry);
        }
        return res.end('{"message":"Messages will sent over CometD service channel /_genesys"}');
      }
      if (url === "/genesys/1/service/request-chat") return res.end(JSON.stringify({ _id: randomUUID() }));
      const opId = /^\/api\/v2\/me\/interactions\/(\w+)$/.exec(url)?.[1];
      if (opId !== undefined) {
        const request = JSON.parse(body) as { operationName: string; text?: string };
        const c = chats.get(opId);
        if (request.operationName === "SendMessage" && c !== undefined) {
          toCustomer(c.user, c.serviceId, ["Message.Text", "agent", request.text ?? "", "0", "AGENT"]);
          toAgent(c.agent, { notificationType: "NewMessages", id: opId, messages: [{ text: request.text, from: { type: "Agent" } }] });
        }
      }
      res.setHeader("set-cookie", "JSESSIONID=bare");
      res.end('{"status":"ok","statusCode":0}');
    });
  });
  server.keepAliveTimeout = 60_000;
  acceptBayeuxSockets(server, (ws) => agents.push(ws));
  return listenLocally(server);
}

const url = await (process.argv[2] === "bare" ? startBare() : startParley());
// How long the event loop stalls: what every message waits behind. Reset by each stats request.
const stalls = monitorEventLoopDelay({ resolution: 5 });
stalls.enable();
// Garbage collection pauses, the usual other source of stalls.
let gcMax = 0;
let gcTotal = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMax = Math.max(gcMax, entry.duration);
    gcTotal += entry.duration;
  }
}).observe({ entryTypes: ["gc"] });
process.on("message", () => {
  const memory = process.memoryUsage();
  process.send?.({
    cpu: process.cpuUsage(),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    loopP99: stalls.percentile(99) / 1e6,
    loopMax: stalls.max / 1e6,
    gcMax,
    gcTotal,
  });
  stalls.reset();
  gcMax = 0;
  gcTotal = 0;
});
process.send?.({ url });
process.on("SIGINT", () => process.exit(0));
// The bench gone (a failed setup throws before it stops its server) ends its server too.
process.on("disconnect", () => process.exit(0));

/**
 * A Bayeux server under test, in its own process: parley's engine (built with buildApp), Faye
 * (a Node Bayeux server: the baseline) or "bare" (a minimal node:http long-poll server: the floor). The bench drives it over IPC: it generates the
 * deliveries itself, so the CPU it reports is the server's own work per delivered message.
 *
 *   tsx bench/bayeux-target.ts parley|faye|bare
 */
import { createServer } from "node:http";
import { startBenchApp } from "./parley-app.ts";

type Deliver = (user: string, data: unknown) => void;
type Command = { cmd: "stats" } | { cmd: "run"; users: number; perSecond: number; seconds: number } | { cmd: "burst"; users: number };

const kind = process.argv[2] ?? "parley";

async function startParley(): Promise<{ url: string; deliver: Deliver }> {
  const { app, url } = await startBenchApp("bayeux");
  return {
    url: `${url}/genesys/cometd`,
    deliver: (user, data) => app.bayeux.deliver("customer", user, "/_genesys", data),
  };
}

async function startFaye(): Promise<{ url: string; deliver: Deliver }> {
  // Faye has no per-user delivery: each user listens on a channel of its own.
  const faye = (await import("faye")) as unknown as { default: { NodeAdapter: new (o: object) => FayeAdapter } };
  const bayeux = new faye.default.NodeAdapter({ mount: "/bayeux", timeout: 30 });
  const server = createServer();
  bayeux.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const client = bayeux.getClient();
  return { url: `http://127.0.0.1:${port}/bayeux`, deliver: (user, data) => void client.publish(`/u/${user}`, data) };
}

/**
 * The floor: the least a long-poll server on node:http can do per message (parse the batch, hold
 * the connect, answer it with the message). No Bayeux rules, no acks, no limits; long-polling only.
 */
async function startBare(): Promise<{ url: string; deliver: Deliver }> {
  const held = new Map<string, (body: string) => void>();
  const clientOf = new Map<string, string>();
  let next = 0;
  const server = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (text += c));
    req.on("end", () => {
      const [m] = JSON.parse(text) as { channel: string; clientId?: string; subscription?: string }[];
      const answer = (body: string) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      };
      if (m?.channel === "/meta/handshake") {
        const clientId = `c${next++}`;
        clientOf.set(String(req.headers.gms_user), clientId);
        return answer(JSON.stringify([{ channel: "/meta/handshake", successful: true, clientId }]));
      }
      if (m?.channel === "/meta/connect" && m.clientId !== undefined) {
        const id = m.clientId;
        if (!held.has(`first:${id}`)) {
          held.set(`first:${id}`, () => undefined);
          return answer('[{"channel":"/meta/connect","successful":true}]');
        }
        held.set(id, (message) => answer(`[${message},{"channel":"/meta/connect","successful":true}]`));
        return;
      }
      answer(JSON.stringify([{ channel: m?.channel, successful: true }]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/bayeux`,
    deliver: (user, data) => {
      const clientId = clientOf.get(user);
      const reply = clientId === undefined ? undefined : held.get(clientId);
      if (clientId === undefined || reply === undefined) return;
      held.delete(clientId);
      reply(JSON.stringify({ channel: "/_genesys", data }));
    },
  };
}

interface FayeAdapter {
  attach(server: unknown): void;
  getClient(): { publish(channel: string, data: unknown): unknown };
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

async function main(): Promise<void> {
  const target = kind === "faye" ? await startFaye() : kind === "bare" ? await startBare() : await startParley();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("message", (command: Command) => {
    if (command.cmd === "stats") {
      gc?.();
      const memory = process.memoryUsage();
      process.send?.({ rss: memory.rss, heap: memory.heapUsed + memory.external });
    } else if (command.cmd === "burst") {
      const started = cpuMicros();
      const t = Date.now();
      for (let i = 0; i < command.users; i++) target.deliver(`u${i}`, { t, seq: i });
      // Let the replies go out before the CPU is read.
      setTimeout(() => process.send?.({ cpu: cpuMicros() - started }), 500);
    } else if (command.cmd === "run") {
      run(target.deliver, command);
    }
  });
  process.send?.({ url: target.url });
}

/** Delivers `perSecond` messages a second, round robin over the users, in 10 ms ticks. */
function run(deliver: Deliver, command: { users: number; perSecond: number; seconds: number }): void {
  const started = cpuMicros();
  const perTick = command.perSecond / 100;
  let owed = 0;
  let next = 0;
  let sent = 0;
  const ticks = command.seconds * 100;
  let tick = 0;
  const timer = setInterval(() => {
    owed += perTick;
    const t = Date.now();
    for (; owed >= 1; owed--) {
      deliver(`u${next}`, { t, seq: sent++ });
      next = (next + 1) % command.users;
    }
    if (++tick >= ticks) {
      clearInterval(timer);
      setTimeout(() => process.send?.({ cpu: cpuMicros() - started, sent }), 500);
    }
  }, 10);
}

void main();
process.on("SIGINT", () => process.exit(0));

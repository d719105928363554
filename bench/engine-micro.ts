/**
 * The Bayeux engine alone, no sockets: 1000 long-poll clients each held on /meta/connect; one
 * private message to each, the flush, and the next connect. Prints CPU µs per delivered
 * message. Shows what the engine costs apart from HTTP (compare with `npm run bench:bayeux`).
 *
 *   tsx bench/engine-micro.ts
 */
import type { Reply } from "../src/bayeux/protocol.ts";
import { benchEngine, requestOf } from "./engine.ts";

const CLIENTS = 1000;
const ROUNDS = 30;

const engine = await benchEngine();
const ctx = requestOf;
const ids: string[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const [hs] = await engine.process("customer", [{ channel: "/meta/handshake", version: "1.0", ext: { ack: true } }], ctx(`u${i}`));
  const clientId = String((hs as Reply).clientId);
  ids.push(clientId);
  await engine.process(
    "customer",
    [
      { channel: "/meta/connect", clientId, connectionType: "long-polling" },
      { channel: "/meta/subscribe", clientId, subscription: "/_genesys" },
    ],
    ctx(`u${i}`),
  );
}
const acks = new Array<number>(CLIENTS).fill(0);
const connect = (i: number) =>
  engine.process("customer", [{ channel: "/meta/connect", clientId: ids[i], connectionType: "long-polling", ext: { ack: acks[i] } }], ctx(`u${i}`));

let held = ids.map((_, i) => connect(i));
const before = process.cpuUsage();
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < CLIENTS; i++)
    engine.deliver("customer", `u${i}`, "/_genesys", { t: Date.now(), tag: "service.chat.refresh.1", message: { text: "hello" } });
  const replies = await Promise.all(held);
  replies.forEach((items, i) => {
    const reply = items[items.length - 1] as Reply;
    acks[i] = Number((reply.ext as { ack?: number } | undefined)?.ack ?? 0);
  });
  held = ids.map((_, i) => connect(i));
}
const cpu = process.cpuUsage(before);
console.log(`engine: ${((cpu.user + cpu.system) / (ROUNDS * CLIENTS)).toFixed(1)} µs CPU per delivered message (${CLIENTS} clients, ${ROUNDS} rounds)`);
await engine.close();
process.exit(0);

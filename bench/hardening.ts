/**
 * What the security hardening costs on hot paths, each against its unguarded baseline in the
 * same run: parsing a client's JSON with the depth scan and prototype-key check against plain
 * JSON.parse (a seed-sized body and a 900 KB one), and the CometD engine handling a publish to
 * a channel of the largest allowed depth (32 segments) against a 2-segment one.
 *
 *   tsx bench/hardening.ts
 */
import type { Reply } from "../src/bayeux/protocol.ts";
import { parseUntrustedJson } from "../src/safe-json.ts";
import { benchEngine, requestOf } from "./engine.ts";

const ROUNDS = 5;

/** Median over ROUNDS of the mean µs per call of `fn`, run `n` times a round. */
function timePerCall(n: number, fn: () => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / n);
  }
  const median = rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
  if (median === undefined) throw new Error("no rounds timed");
  return median;
}

function row(name: string, baseline: number, guarded: number): void {
  console.log(`${name.padEnd(44)} ${baseline.toFixed(2).padStart(9)} ${guarded.toFixed(2).padStart(9)} ${(guarded / baseline).toFixed(2).padStart(7)}`);
}

const seedBody = JSON.stringify({
  timestamp: "2009-05-12T12:05:12.145Z",
  interaction_id: "123ABCAADFJ1259ACF",
  media_type: 1,
  resource_id: 5005,
  customer_id: "ABC1234",
  coupon: { coupon_name: "DISCOUNTCODE15" },
  satisfaction: { score: 85, agentID: 2025 },
  relatedOffers: [{ offer_name: "VIP credit card black ed.", comments: "proposed to all client" }],
});
const bigBody = JSON.stringify({ customer_id: "big", blob: "x".repeat(900 * 1024), list: Array.from({ length: 1000 }, (_, i) => ({ i })) });

console.log(`${"case".padEnd(44)} ${"base µs".padStart(9)} ${"guarded".padStart(9)} ${"ratio".padStart(7)}`);
row(
  "JSON body, seed 001 size (400 B)",
  timePerCall(20_000, () => JSON.parse(seedBody)),
  timePerCall(20_000, () => parseUntrustedJson(seedBody, 64)),
);
row(
  "JSON body, 900 KB",
  timePerCall(30, () => JSON.parse(bigBody)),
  timePerCall(30, () => parseUntrustedJson(bigBody, 64)),
);

const engine = await benchEngine();
const ctx = requestOf("u");
const [hs] = await engine.process("customer", [{ channel: "/meta/handshake", version: "1.0" }], ctx);
const clientId = (hs as Reply).clientId;
const publish = (channel: string) => () => engine.process("customer", [{ channel, clientId, data: { text: "hi" } }], ctx);
const shallow = "/service/chat";
const deepest = `/service${"/a".repeat(31)}`;
row("CometD publish, 32 segments vs 2", timePerCall(20_000, publish(shallow)), timePerCall(20_000, publish(deepest)));
const refused = `/service${"/a".repeat(251)}`;
row("CometD publish, 252 segments (refused) vs 2", timePerCall(20_000, publish(shallow)), timePerCall(20_000, publish(refused)));
await engine.close();

/**
 * The abuse benchmark's other clients, in a process of their own so their CPU does not delay the
 * real users' measurements: the Ready agents who take every chat offered (the "desk"), and, on
 * "go", the abuse shapes for the given time. Over IPC: `{ready}` once the desk is Ready;
 * `{done, tallies}` when the shapes have stopped. The paused socket stays paused until "exit".
 *
 *   tsx bench/abuse-attackers.ts '<plan as JSON>'
 */
import { Agent } from "node:http";
import type WebSocket from "ws";
import { agentSocket, attempt, login, readyForChat, sleep, type Tally } from "./abuse-http.ts";
import { type AttackPlan, chatFlood, diskFill, loginFlood, SHAPES, slowReader, type Desk, type ShapeContext } from "./abuse-shapes.ts";

export interface Go {
  go: number;
}

const plan = JSON.parse(process.argv[2] ?? "{}") as AttackPlan;
const http = new Agent({ keepAlive: true, maxSockets: 64 });

/** Accepts every chat offered to a desk agent; remembers who took which service's chat. */
async function startDesk(): Promise<{ desk: Desk; sockets: WebSocket[] }> {
  const taken = new Map<string, { interactionId: string; cookie: string }>();
  const sockets: WebSocket[] = [];
  for (const name of plan.desk) {
    const cookie = await login(plan.base, plan.deskAddress, http, name, name);
    const accept = (data: any) => {
      if (data.notificationType !== "NewInteraction") return;
      const interactionId = data.id as string;
      const serviceId = String(data.interaction?.userData?.gms_service_id ?? "");
      attempt(plan.base, `/api/v2/me/interactions/${interactionId}`, {
        from: plan.deskAddress,
        agent: http,
        headers: { cookie },
        json: { operationName: "Accept" },
      }).then((reply) => {
        if (reply.status === 200) taken.set(serviceId, { interactionId, cookie });
      });
    };
    sockets.push(await agentSocket(plan.base, plan.deskAddress, cookie, accept));
    await readyForChat(plan.base, plan.deskAddress, http, cookie);
  }
  const desk: Desk = {
    async accepted(serviceId, deadline) {
      while (performance.now() < deadline) {
        const found = taken.get(serviceId);
        if (found !== undefined) return found;
        await sleep(20);
      }
      return null;
    },
  };
  return { desk, sockets };
}

/** Runs every shape until `until`; resolves to each shape's tally. */
async function attack(desk: Desk, until: number): Promise<Record<string, Tally>> {
  const ctx: ShapeContext = { base: plan.base, agent: http, until, limits: plan.limits };
  const tallies = new Map<string, Tally>(plan.shapes.map((shape) => [shape, {}]));
  const shapes: Promise<void>[] = [];
  /** Starts `shape` if the plan has it, counting into its tally. */
  const run = (shape: string, start: (tally: Tally) => Promise<void>) => {
    const tally = tallies.get(shape);
    if (tally !== undefined) shapes.push(start(tally));
  };
  for (let i = 0; i < plan.addresses; i++) {
    run("disk", (tally) => diskFill(ctx, `203.0.113.${10 + i}`, tally));
    run("flood", (tally) => chatFlood(ctx, `203.0.113.${100 + i}`, `flood-user-${i}`, tally));
  }
  run("slow", (tally) => slowReader(ctx, "203.0.113.200", "slow-reader", desk, tally));
  run("login", (tally) => loginFlood(ctx, "203.0.113.250", plan.victim, tally));
  await Promise.all(shapes);
  return Object.fromEntries([...tallies].map(([shape, tally]) => [SHAPES[shape] ?? shape, tally]));
}

const { desk, sockets } = await startDesk();
process.on("message", (message: Go | "exit") => {
  if (message === "exit") {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
  if (typeof message === "object" && typeof message.go === "number") {
    attack(desk, performance.now() + message.go).then(
      (tallies) => process.send?.({ done: true, tallies }),
      (err: Error) => process.send?.({ done: true, tallies: {}, error: err.message }),
    );
  }
});
process.send?.({ ready: true });

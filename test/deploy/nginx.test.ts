/**
 * The deployment as shipped: deploy/nginx/parley.conf in front of two parley nodes (child
 * processes on PostgreSQL and Redis, TRUST_PROXY=true). Through nginx, an agent and a customer
 * chat, the customer on CometD over WebSocket; then the node holding the customer's socket is
 * killed (SIGKILL) and the chat goes on: requests reach the survivor, the customer's client
 * handshakes again there and gets the agent's next message pushed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import type { Message } from "cometd";
import { ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { chatApi } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { NGINX, startNginx, type Nginx } from "../support/nginx.ts";
import { spawnServer, type ServerProcess } from "../support/process.ts";
import { eventually, post } from "../support/server.ts";
import { describeWith, dropSchema } from "../support/suites.ts";

/** A node compiles its sources with tsx as it starts: slow on a loaded machine, so a generous bound. */
const START_TIMEOUT_MS = 60_000;
const databaseUrl = process.env.TEST_DATABASE_URL ?? "";
const redisUrl = process.env.TEST_REDIS_URL ?? "";

function missing(): string | false {
  if (!existsSync(NGINX)) return `${NGINX} is absent (apt-get install nginx): the nginx deployment test not run`;
  if (databaseUrl === "") return "TEST_DATABASE_URL is not set: the nginx deployment test not run";
  if (redisUrl === "") return "TEST_REDIS_URL is not set: the nginx deployment test not run";
  return false;
}

/** Texts of the transcript entries pushed to `client` for chat service `id`. */
const pushedTexts = (client: TestClient, id: string): string[] =>
  client.received
    .filter((m: Message) => m.data?.tag === `service.chat.refresh.${id}`)
    .flatMap((m: Message) => ((m.data.message.transcriptToShow ?? []) as string[][]).map((entry) => entry[2] ?? ""));

/** The CometD clients on a node, from its own /metrics (not through nginx). */
async function cometdClientsOn(node: ServerProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^bayeux_clients(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1] ?? "0");
}

describeWith("nginx in front of two nodes (deploy/nginx/parley.conf)", missing(), () => {
  it("serves a chat over REST and WebSocket, and goes on through the survivor when a node is killed", { timeout: 240_000 }, async () => {
    const schema = `parley_nginx_${randomBytes(6).toString("hex")}`;
    const env = {
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `parley-nginx-${randomBytes(6).toString("hex")}`,
      TRUST_PROXY: "true",
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ROUTING_SWEEP_MS: "100",
    };
    const dir = mkdtempSync(join(tmpdir(), "parley-nginx-"));
    const nodes: ServerProcess[] = [];
    let nginx: Nginx | undefined;
    let customer: TestClient | undefined;
    try {
      // One after the other: the first creates the schema and the admin, the second finds them.
      nodes.push(await spawnServer(env, START_TIMEOUT_MS));
      nodes.push(await spawnServer(env, START_TIMEOUT_MS));
      nginx = await startNginx(
        dir,
        nodes.map((node) => new URL(node.url).host),
      );
      const lb = nginx.url;

      // Host reaches parley as the client sent it: its URLs name nginx's address.
      const started = await post(`${lb}/genesys/1/cs/services/start`, { contact_key: "through-nginx" });
      assert.equal(started.status, 201, started.text);
      assert.equal(started.headers.get("location"), `${lb}/genesys/1/cs/services/${started.body.service_id}`);

      const api = agentApi(lb);
      const agent = await api.createAgent("nora", { firstName: "Nora" });
      await api.ready(agent, "chat");
      const chat = chatApi(lb);

      // The customer on CometD over WebSocket (the upgrade through nginx), named in the handshake.
      const client = cometdClient(`${lb}/genesys/cometd`, { transport: "websocket", handshake: { ext: { gms_user: "wes" } } });
      customer = client;
      let handshakes = 0;
      client.cometd.addListener("/meta/handshake", (m: Message) => {
        if (m.successful === true) handshakes++;
      });
      assert.equal((await client.handshake()).successful, true);
      assert.equal(client.cometd.getTransport()?.type, "websocket");
      await client.subscribe("/_genesys");

      // gms_user (an underscore header) reaches parley: the chat's pushes go to that customer.
      const id = await chat.create("request-chat", {}, { gms_user: "wes" });
      assert.equal((await chat.call(id, "ixn/chat", { notify_by: "comet", firstName: "Wes" }, { gms_user: "wes" })).status, 200);
      const ixId = await eventually(
        async () => client.received.find((m: Message) => m.data?.tag === `service.chat.refresh.${id}`)?.data.message.chatSessionId as string | undefined,
        10_000,
        "the chat's first push over the WebSocket",
      );
      await api.sees(agent, ixId, "Invited", 10_000);
      assert.equal((await api.operate(agent, ixId, { operationName: "Accept" })).status, 200);
      assert.equal((await api.operate(agent, ixId, { operationName: "SendMessage", text: "hello through nginx" })).status, 200);
      await eventually(async () => (pushedTexts(client, id).includes("hello through nginx") ? true : undefined), 10_000, "the agent's message pushed");

      // The node holding the customer's socket dies without a word.
      const counts = await Promise.all(nodes.map(cometdClientsOn));
      const victim = nodes[counts.findIndex((n) => n > 0)];
      assert.ok(victim !== undefined, `a node holds the customer's client: ${counts.join(", ")}`);
      victim.child.kill("SIGKILL");
      await victim.exited;

      // The client's socket closed; it comes back through nginx to the survivor, which does not
      // know it (402), and handshakes again there; then it subscribes again, as apps do.
      await eventually(async () => (handshakes >= 2 ? true : undefined), 30_000, `a second handshake (nginx: ${nginx.errors().slice(-500)})`);
      await client.subscribe("/_genesys");

      // Every request now reaches the survivor: the agent writes, the customer reads and answers.
      assert.equal((await api.operate(agent, ixId, { operationName: "SendMessage", text: "after the crash" })).status, 200);
      await eventually(async () => (pushedTexts(client, id).includes("after the crash") ? true : undefined), 10_000, "a message pushed after the crash");
      const sent = await chat.call(id, "ixn/chat/send", { message: "still here" }, { gms_user: "wes" });
      assert.equal(sent.status, 200, sent.text);
      const read = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" }, { gms_user: "wes" });
      const texts = (read.body.transcriptToShow as string[][]).map((entry) => entry[2]);
      for (const text of ["hello through nginx", "after the crash", "still here"]) assert.ok(texts.includes(text), `${text} in ${JSON.stringify(texts)}`);
    } finally {
      await customer?.disconnect();
      await nginx?.stop();
      for (const node of nodes) {
        if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGTERM");
        await node.exited;
      }
      await dropSchema(databaseUrl, schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

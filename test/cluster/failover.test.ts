/**
 * The day a node dies. Two parley nodes in child processes share PostgreSQL and Redis; chats run
 * across them, and one node is killed with SIGKILL in the middle of the traffic. Then:
 * - every acknowledged message is in its transcript once, and every party connected throughout
 *   got each entry exactly once, in position order;
 * - clients of the dead node that handshake on the survivor are sent what they missed;
 * - an agent of the dead node who does not come back is NotReady on the survivor within the
 *   presence expiry, their chats re-queued after the grace period and taken by a live agent;
 * - new chats go to live agents only.
 * The times it measures (time to resume, presence) are printed as `failover:` lines.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, it } from "node:test";
import type { Message } from "cometd";
import { ADMIN, ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi, entries } from "../support/chat.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { spawnServer, type ServerProcess } from "../support/process.ts";
import { eventually } from "../support/server.ts";
import { describeWith, dropSchema } from "../support/suites.ts";

const dbUrl = process.env.TEST_DATABASE_URL ?? "";
const redisUrl = process.env.TEST_REDIS_URL ?? "";
const skip = dbUrl === "" || redisUrl === "" ? "TEST_DATABASE_URL and TEST_REDIS_URL are needed: the failover test is not run" : false;
const schema = `parley_failover_${randomBytes(6).toString("hex")}`;
const PRESENCE_TTL_MS = 1500;
const GRACE_MS = 3000;

interface Chat {
  name: string;
  serviceId: string;
  ixId: string;
  headers: Record<string, string>;
  customer: TestClient;
  /** The customer's client on the dead node, when they resumed on the survivor. */
  before: TestClient | null;
  /** The agent working it, and the node they use. */
  agent: TestAgent;
  agentNode: string;
  /** Texts whose send was answered 2xx. */
  acknowledged: string[];
}

describeWith("failover: a node killed mid-traffic", skip, () => {
  const clients: TestClient[] = [];
  const nodes: ServerProcess[] = [];
  after(async () => {
    await Promise.all(clients.map(leave));
    for (const node of nodes) node.child.kill("SIGKILL");
    await dropSchema(dbUrl, schema);
  });

  it("loses, duplicates and reorders nothing; resumes clients; hands a vanished agent's chats on", { timeout: 120_000 }, async () => {
    const env = {
      DATABASE_URL: dbUrl,
      DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: schema,
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ROUTING_SWEEP_MS: "50",
      AGENT_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
      AGENT_ORPHAN_GRACE_MS: String(GRACE_MS),
    };
    const doomed = await spawnServer(env, 60_000);
    nodes.push(doomed);
    const survivor = await spawnServer(env, 60_000);
    nodes.push(survivor);
    const onA = agentApi(doomed.url);
    const onB = agentApi(survivor.url);

    // Agents: Xavier on the survivor; Yara (who will come back) and Zeno (who will not) on the doomed node.
    const xavier = await onB.createAgent("xavier", { firstName: "Xavier", capacity: { chat: 10 } });
    const yara = await onB.createAgent("yara", { firstName: "Yara", capacity: { chat: 2 } });
    const zeno = await onB.createAgent("zeno", { firstName: "Zeno", capacity: { chat: 2 } });
    const desks = new Map<string, TestClient>();
    for (const [agent, node] of [
      [xavier, survivor],
      [yara, doomed],
      [zeno, doomed],
    ] as const) {
      desks.set(agent.id, await desk(node.url, await signedIn(node.url, agent)));
    }

    // Two chats each for Yara and Zeno (one agent Ready at a time), then two for Xavier.
    const chats: Chat[] = [];
    let n = 0;
    for (const [agent, node] of [
      [yara, doomed],
      [zeno, doomed],
      [xavier, survivor],
    ] as const) {
      const api = agentApi(node.url);
      await api.ready(agent, "chat");
      // The first customer of each pair is connected to the doomed node, the second to the survivor.
      for (let i = 0; i < 2; i++) chats.push(await routedChat(`c${++n}`, agent, node, i === 0 ? doomed : survivor, doomed));
      await api.request("POST", "/me/channels/chat", agent.headers, { operationName: "NotReady" });
    }
    await onB.ready(xavier, "chat");
    await onA.ready(yara, "chat");
    await onA.ready(zeno, "chat");

    // Traffic: customers write through both nodes in turn, agents through their own; the doomed node dies in the middle.
    let killedAt = 0;
    let round = 0;
    const traffic = async (until: () => boolean) => {
      while (!until()) {
        round++;
        await Promise.all(
          chats.map(async (chat) => {
            const viaA = round % 2 === 0 && killedAt === 0;
            const text = `${chat.name} customer ${round}`;
            const sent = await chatApi(viaA ? doomed.url : survivor.url)
              .call(chat.serviceId, "ixn/chat/send", { message: text }, chat.headers)
              .catch(() => null);
            if (sent?.status === 200) chat.acknowledged.push(text);
            const agentText = `${chat.name} agent ${round}`;
            const agentNode = chat.agentNode === doomed.url && killedAt !== 0 ? null : chat.agentNode;
            if (agentNode === null) return;
            const reply = await agentApi(agentNode)
              .operate(chat.agent, chat.ixId, { operationName: "SendMessage", text: agentText })
              .catch(() => null);
            if (reply?.body?.statusCode === 0) chat.acknowledged.push(agentText);
          }),
        );
      }
    };
    await traffic(() => round >= 6);
    const inFlight = traffic(() => round >= 14);
    await eventually(async () => (round >= 9 ? true : undefined), 30_000, "traffic under way");
    doomed.child.kill("SIGKILL");
    killedAt = Date.now();
    await doomed.exited;

    // The dead node's customers handshake on the survivor, naming the position after the last entry they saw.
    const stranded = chats.filter((c) => ["c1", "c3", "c5"].includes(c.name));
    const customersBack = Promise.all(
      stranded.map(async (chat) => {
        const resumeAt = Date.now();
        const seen = pushed(chat).length;
        const back = cometdClient(`${survivor.url}/genesys/cometd`, {
          transport: "long-polling",
          gmsUser: chat.headers.gms_user,
          handshake: { ext: { transcriptPosition: String(seen + 1) } },
        });
        clients.push(back);
        chat.before = chat.customer;
        chat.customer = back;
        await back.handshake();
        await back.subscribe("/_genesys");
        await received(back, (m) => m.data?.tag === `service.chat.refresh.${chat.serviceId}`, `${chat.name}'s customer resumed`);
        return { sinceKill: Date.now() - killedAt, sinceHandshake: Date.now() - resumeAt };
      }),
    );
    // Yara comes back at once on the survivor: her new desktop is sent her chats, whole.
    const handshakeAt = Date.now();
    // With the session cookie her node gave her (sessions live in the database): no password check on the survivor.
    const yaraBack = await desk(survivor.url, sessions.get(yara.id) as TestAgent);
    const yaraChats = chats.filter((c) => c.agent === yara);
    await Promise.all(
      yaraChats.map((chat) => eventually(async () => (indexesAt(yaraBack, chat.ixId).includes(1) ? true : undefined), 10_000, `Yara's ${chat.name} resumed`)),
    );
    console.log(`failover: agent resumed on the survivor ${Date.now() - killedAt} ms after the kill (${Date.now() - handshakeAt} ms after her handshake)`);
    for (const t of await customersBack)
      console.log(`failover: customer resumed on the survivor ${t.sinceKill} ms after the kill (${t.sinceHandshake} ms after the handshake)`);
    await inFlight;
    for (const chat of yaraChats) {
      const last = entries(await chatApi(survivor.url).call(chat.serviceId, "ixn/chat/refresh", { transcriptPosition: "1" }, chat.headers)).length;
      const every = Array.from({ length: last }, (_, i) => i + 1);
      await eventually(async () => (every.every((i) => indexesAt(yaraBack, chat.ixId).includes(i)) ? true : undefined), 10_000, `all of ${chat.name} at Yara`);
    }

    // Zeno does not come back: NotReady (Disconnected) within the presence expiry.
    const notReadyAt = await eventually(
      async () => {
        const state = (await onB.request("GET", "/agents", ADMIN)).body.agents
          .find((a: { id: string }) => a.id === zeno.id)
          ?.channels.find((c: { channel: string }) => c.channel === "chat")?.userState;
        return state?.state === "NotReady" && state.reason === "Disconnected" ? Date.now() : undefined;
      },
      PRESENCE_TTL_MS * 4 + 5000,
      "Zeno NotReady on the survivor",
    );
    console.log(`failover: the dead node's agent was NotReady ${notReadyAt - killedAt} ms after the kill (expiry ${PRESENCE_TTL_MS} ms)`);

    // After the grace period his chats are re-queued (a Notice tells the customer) and taken by Xavier.
    const xavierDesk = desks.get(xavier.id) as TestClient;
    for (const chat of chats.filter((c) => c.agent === zeno)) {
      const offer = await received(
        xavierDesk,
        (m) => m.data?.notificationType === "NewInteraction" && m.data.id === chat.ixId,
        `${chat.name} offered to Xavier`,
        GRACE_MS * 3 + 10_000,
      );
      assert.ok(Date.now() - killedAt >= GRACE_MS, "not before the grace period");
      assert.equal((await onB.operate(xavier, offer.data.id, { operationName: "Accept" })).body.statusCode, 0);
      chat.agent = xavier;
      chat.agentNode = survivor.url;
    }
    // Yara kept hers (she came back within the grace period).
    for (const chat of yaraChats)
      assert.ok(
        (await onB.mine(yara)).some((ix) => ix.id === chat.ixId && ix.state === "Accepted"),
        `${chat.name} still Yara's`,
      );

    // A new chat goes to a live agent only.
    await onB.request("POST", "/me/channels/chat", yara.headers, { operationName: "NotReady" });
    const fresh = await routedChat("fresh", xavier, survivor, survivor, survivor);
    assert.ok((await onB.mine(xavier)).some((ix) => ix.id === fresh.ixId));

    // Exactly once, in order: every acknowledged message is in the transcript once; every customer (on the
    // survivor throughout) got each entry once, in position order; Xavier's desk got his chats' entries in index order.
    for (const chat of chats) {
      const transcript = entries(await chatApi(survivor.url).call(chat.serviceId, "ixn/chat/refresh", { transcriptPosition: "1" }, chat.headers));
      for (const text of chat.acknowledged) assert.equal(transcript.filter((e) => e[2] === text).length, 1, `${text} once in ${chat.name}`);
      if (chat.before === null) {
        await eventually(async () => (pushed(chat).length >= transcript.length ? true : undefined), 10_000, `${chat.name}'s pushes`);
        assert.deepEqual(pushed(chat), transcript, `${chat.name}: the customer's pushes are the transcript, once each, in order`);
        continue;
      }
      // A resumed customer: what the dead node pushed, then the survivor from the position they named. An entry
      // committed while the resume is read may come twice (entries carry their position: a client keeps one).
      const all = () => [...pushedTo(chat.before as TestClient, chat), ...pushed(chat)];
      await eventually(async () => (once(all()).length >= transcript.length ? true : undefined), 10_000, `${chat.name}'s pushes, resumed`);
      assert.deepEqual(once(all()), transcript, `${chat.name}: the resumed customer has the transcript, in order`);
      console.log(`failover: ${chat.name} resumed customer got ${all().length - transcript.length} entries twice`);
    }
    for (const chat of chats.filter((c) => c.agent === xavier && !c.name.startsWith("fresh"))) {
      const seen = indexesAt(xavierDesk, chat.ixId);
      const firstSeen = seen[0] ?? 0;
      assert.deepEqual(
        seen,
        [...new Set(seen)].sort((x, y) => x - y),
        `${chat.name}: Xavier's entries once each, in order (after ${firstSeen})`,
      );
    }

    async function routedChat(
      name: string,
      agent: TestAgent,
      agentNode: ServerProcess,
      customerNode: ServerProcess,
      requestNode: ServerProcess,
    ): Promise<Chat> {
      const headers = { gms_user: `${schema}-${name}` };
      const customer = cometdClient(`${customerNode.url}/genesys/cometd`, { transport: "long-polling", gmsUser: headers.gms_user });
      clients.push(customer);
      await customer.handshake();
      await customer.subscribe("/_genesys");
      const chat = chatApi(requestNode.url);
      const serviceId = await chat.create("request-chat", {}, headers);
      await chat.call(serviceId, "ixn/chat", { notify_by: "comet", firstName: name }, headers);
      const deskOf = desks.get(agent.id) as TestClient;
      const offer = await received(deskOf, (m) => m.data?.notificationType === "NewInteraction" && !taken.has(m.data.id), `${name} offered`);
      taken.add(offer.data.id);
      assert.equal((await agentApi(agentNode.url).operate(agent, offer.data.id, { operationName: "Accept" })).body.statusCode, 0);
      return { name, serviceId, ixId: offer.data.id, headers, customer, before: null, agent, agentNode: agentNode.url, acknowledged: [] };
    }
  });

  const taken = new Set<string>();

  /** Desktops log in with Basic once and then use the session cookie, as the README's client flow says. */
  const sessions = new Map<string, TestAgent>();
  async function signedIn(url: string, agent: TestAgent): Promise<TestAgent> {
    const reply = await agentApi(url).request("GET", "/me", agent.headers);
    assert.equal(reply.status, 200, reply.text);
    const cookie = (reply.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    assert.match(cookie, /^JSESSIONID=[\w-]+$/);
    const session = { id: agent.id, headers: { cookie } };
    sessions.set(agent.id, session);
    return session;
  }

  async function desk(url: string, agent: TestAgent): Promise<TestClient> {
    const client = cometdClient(`${url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
    clients.push(client);
    await client.handshake();
    await client.subscribe("/v2/me/interactions");
    return client;
  }
});

/** Leaves, but does not wait long for a node that is gone. */
async function leave(client: TestClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2000);
  });
  await Promise.race([client.disconnect(), deadline]);
  clearTimeout(timer);
}

async function received(client: TestClient, match: (m: Message) => boolean, what: string, ms = 10_000): Promise<Message> {
  return eventually(async () => client.received.find(match), ms, what);
}

function pushed(chat: Chat): string[][] {
  return pushedTo(chat.customer, chat);
}

function pushedTo(client: TestClient, chat: Chat): string[][] {
  return client.received.filter((m) => m.data?.tag === `service.chat.refresh.${chat.serviceId}`).flatMap((m) => m.data.message.transcriptToShow ?? []);
}

/** Entries with repeats left out (every entry of these chats differs from the others: texts and times). */
function once(entries: string[][]): string[][] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function indexesAt(desk: TestClient, ixId: string): number[] {
  return desk.received
    .filter((m) => m.data?.notificationType === "NewMessages" && m.data.id === ixId)
    .flatMap((m) => m.data.messages.map((e: { index: number }) => e.index));
}

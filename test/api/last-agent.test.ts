/**
 * Last-agent routing (issue 21, item 4), black box over the Chat API v1 and the agent API, with a
 * clock the test moves: a customer's next chat, within LAST_AGENT_WINDOW_SECONDS of the last one
 * ending, is offered to the agent who had it although another agent has been idle longer; it
 * waits for that agent (Ready, but full) for LAST_AGENT_WAIT_SECONDS, then goes to anyone; an
 * agent who accepted with `saveLAR: false` is not remembered; a customer nobody vouched for is
 * not known again. The apps here are trusted to name their customer (CHAT_TRUST_CLIENT_IDENTITY).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { chatApi, chatInteraction } from "../support/chat.ts";
import { manualClock, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let chat: ReturnType<typeof chatApi>;
const clock = manualClock();
let ann: TestAgent;
let bob: TestAgent;
before(async () => {
  const env = { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, CHAT_TRUST_CLIENT_IDENTITY: "true", ROUTING_OFFER_TIMEOUT_MS: "3600000" };
  server = await startServer({ now: clock.now, env });
  api = agentApi(server.url);
  chat = chatApi(server.url);
  ann = await api.createAgent("lar-ann", { capacity: { chat: 1 } });
  bob = await api.createAgent("lar-bob", { capacity: { chat: 1 } });
});
after(() => server.close());

/** A customer's chat, started; returns its interaction's id. */
async function startChat(form: Record<string, string>): Promise<string> {
  const serviceId = await chat.create("request-chat", form);
  assert.equal((await chat.call(serviceId, "ixn/chat", { firstName: "Vasya" })).status, 200);
  return (await chatInteraction(server, serviceId)).id;
}
/** The chats offered to `agent` after a routing pass. */
async function offeredTo(agent: TestAgent): Promise<string[]> {
  await server.app.router.settle();
  return (await api.mine(agent)).filter((ix) => ix.state === "Invited").map((ix) => ix.id);
}
async function operate(agent: TestAgent, id: string, body: object): Promise<void> {
  const reply = await api.operate(agent, id, body);
  assert.equal(reply.body.statusCode, 0, reply.text);
}
async function notReady(agent: TestAgent): Promise<void> {
  await api.request("POST", "/me/channels/chat", agent.headers, { operationName: "NotReady" });
}

/**
 * Ann handles a chat of `customer` and completes it while Bob, Ready all along, has been idle
 * longer: without last-agent routing the next chat would be Bob's.
 */
async function annHadAChat(customer: Record<string, string>, accept: object = {}): Promise<void> {
  await notReady(bob);
  await api.ready(ann, "chat");
  const first = await startChat(customer);
  assert.deepEqual(await offeredTo(ann), [first]);
  await operate(ann, first, { operationName: "Accept", ...accept });
  await api.ready(bob, "chat");
  clock.advance(5_000);
  await operate(ann, first, { operationName: "StopProcessing" });
  // Ann takes a break and comes back: Ready since now, later than Bob (completing alone does not count as idle).
  await notReady(ann);
  await api.ready(ann, "chat");
  clock.advance(1_000);
}

describe("last-agent routing", () => {
  it("offers a returning customer's chat to their last agent, though another has been idle longer; others' chats go as usual", async () => {
    await annHadAChat({ customer_id: "returning" });
    const again = await startChat({ customer_id: "returning" });
    assert.deepEqual(await offeredTo(ann), [again]);
    await operate(ann, again, { operationName: "Accept" });
    const stranger = await startChat({ customer_id: "someone-else" });
    assert.deepEqual(await offeredTo(bob), [stranger]);
    await operate(ann, again, { operationName: "StopProcessing" });
    await operate(bob, stranger, { operationName: "Accept" });
    await operate(bob, stranger, { operationName: "StopProcessing" });
  });

  it("keeps it for the last agent while they are full, LAST_AGENT_WAIT_SECONDS (10 s), then anyone may have it", async () => {
    await annHadAChat({ customer_id: "patient" });
    const busy = await startChat({ customer_id: "filler" });
    assert.deepEqual(await offeredTo(bob), [busy], "Bob idled longest");
    await notReady(bob);
    const ahead = await startChat({ customer_id: "ahead" });
    assert.deepEqual(await offeredTo(ann), [ahead], "Ann is full now");
    await operate(bob, busy, { operationName: "Accept" });
    await operate(bob, busy, { operationName: "StopProcessing" });
    await api.ready(bob, "chat");
    const kept = await startChat({ customer_id: "patient" });
    assert.deepEqual(await offeredTo(bob), [], "kept for Ann");
    clock.advance(9_999);
    assert.deepEqual(await offeredTo(bob), []);
    clock.advance(1);
    assert.deepEqual(await offeredTo(bob), [kept], "then anyone");
    await operate(ann, ahead, { operationName: "Accept" });
    await operate(ann, ahead, { operationName: "StopProcessing" });
    await operate(bob, kept, { operationName: "Accept" });
    await operate(bob, kept, { operationName: "StopProcessing" });
  });

  it("does not remember an agent who accepted with saveLAR false, nor a customer nobody vouched for", async () => {
    await annHadAChat({ customer_id: "private" }, { saveLAR: false });
    const again = await startChat({ customer_id: "private" });
    assert.deepEqual(await offeredTo(bob), [again]);
    await operate(bob, again, { operationName: "Accept" });
    await operate(bob, again, { operationName: "StopProcessing" });

    await annHadAChat({});
    const anonymous = await startChat({});
    assert.deepEqual(await offeredTo(bob), [anonymous]);
    await operate(bob, anonymous, { operationName: "Accept" });
    await operate(bob, anonymous, { operationName: "StopProcessing" });
  });

  it("does not keep a chat once the last one ended longer ago than LAST_AGENT_WINDOW_SECONDS (30 min)", async () => {
    await annHadAChat({ customer_id: "seldom" });
    clock.advance(30 * 60_000);
    const late = await startChat({ customer_id: "seldom" });
    assert.deepEqual(await offeredTo(bob), [late]);
  });
});

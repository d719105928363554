/**
 * A Chat API v2 chat on the agents' side (issue 19): transferred and conferenced like any chat,
 * the customer reading who came and went; and files (spec §4): limits, upload, download, delete
 * on the REST paths and on chat-ntf (the CometD flavour's, by secureKey alone), refused past
 * their limits, served as attachments, and downloaded by the agent through the agent API.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, agentApi, type TestAgent } from "../support/agents.ts";
import { assertEnvelope, chatV2Api, type V2Chat } from "../support/chat-v2.ts";
import { cometdClient, type TestClient } from "../support/cometd.ts";
import { call, startServer, type Reply, type TestServer } from "../support/server.ts";

let server: TestServer;
let api: ReturnType<typeof agentApi>;
let v2: ReturnType<typeof chatV2Api>;
const desks: TestClient[] = [];

before(async () => {
  server = await startServer({
    env: {
      PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ROUTING_SWEEP_MS: "50",
      CHAT_V2_FILE_MAX_BYTES: "1000",
      CHAT_V2_FILE_MAX_FILES: "2",
      CHAT_V2_FILE_DOWNLOADS: "2",
    },
  });
  api = agentApi(server.url);
  v2 = chatV2Api(server.url);
});
after(async () => {
  for (const desk of desks) await desk.disconnect();
  await server.close();
});

/** An agent Ready for chats with a connected desktop; only `first` is Ready at first (the others are made Ready when needed). */
async function agentNamed(name: string, ready: boolean): Promise<TestAgent> {
  const agent = await api.createAgent(name, { firstName: name[0]?.toUpperCase() + name.slice(1) });
  const desk = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
  desks.push(desk);
  await desk.handshake();
  await desk.subscribe("/v2/me/interactions");
  if (ready) await api.ready(agent, "chat");
  return agent;
}

/** Takes the agent out of routing, so the next test's agent gets the next chat. */
async function notReady(...agents: TestAgent[]): Promise<void> {
  for (const agent of agents) assert.equal((await api.request("POST", "/me/channels/chat", agent.headers, { operationName: "NotReady" })).status, 200);
}

async function acceptedBy(agent: TestAgent, chat: V2Chat): Promise<void> {
  await api.sees(agent, chat.chatId, "Invited");
  assert.equal((await api.operate(agent, chat.chatId, { operationName: "Accept" })).status, 200);
}

const events = (reply: Reply) =>
  assertEnvelope(reply.body).messages.map((m) => `${m.type} ${m.from.type} ${m.from.nickname}${m.text === undefined ? "" : ` ${m.text}`}`);

describe("agents on a v2 chat", () => {
  it("transfer and conference: the customer reads each agent join and leave; messages from both reach them", async () => {
    const ada = await agentNamed("ada", true);
    const bob = await agentNamed("bob", false);
    const cy = await agentNamed("cy", false);
    const chat = await v2.start();
    await acceptedBy(ada, chat);
    await api.ready(bob, "chat");
    assert.equal((await api.operate(ada, chat.chatId, { operationName: "Transfer", targetId: bob.id })).status, 200);
    await acceptedBy(bob, chat);
    await api.ready(cy, "chat");
    assert.equal((await api.operate(bob, chat.chatId, { operationName: "StartConference", agentId: cy.id })).status, 200);
    await api.sees(cy, chat.chatId, "InvitedConference");
    assert.equal((await api.operate(cy, chat.chatId, { operationName: "Accept" })).status, 200);
    await api.operate(bob, chat.chatId, { operationName: "SendMessage", text: "from Bob" });
    await api.operate(cy, chat.chatId, { operationName: "SendMessage", text: "from Cy" });
    const seen = events(await v2.op(chat, "refresh", { transcriptPosition: "2" }));
    assert.deepEqual(seen, [
      "ParticipantJoined Agent Ada",
      "ParticipantLeft Agent Ada",
      "ParticipantJoined Agent Bob",
      "ParticipantJoined Agent Cy",
      "Message Agent Bob from Bob",
      "Message Agent Cy from Cy",
    ]);
    const parties = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "2" })).body).messages.map((m) => m.from.participantId);
    assert.equal(new Set(parties).size, 3, "one participantId per agent");
    assert.equal(parties.includes(1), false);
    await notReady(ada, bob, cy);
  });
});

/** A multipart upload as iOS and Widgets send it. */
function upload(url: string, fields: Record<string, string>, file: { name: string; body: string } | null): Promise<Reply> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file !== null) form.append("file", new Blob([file.body], { type: "text/plain" }), file.name);
  return fetch(url, { method: "POST", body: form }).then(async (r) => {
    const text = await r.text();
    let body: any = null;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: r.status, headers: r.headers, body, text } as Reply;
  });
}

describe("files", () => {
  it("limits, upload, download, delete on the REST paths; the agent sees the entry and downloads it", async () => {
    const agent = await agentNamed("fay", true);
    const chat = await v2.start();
    const base = `${v2.base}/${chat.chatId}/file`;
    // Before an agent is in the chat, uploads wait (upload-need-agent).
    const early = await upload(base, chat.keys, { name: "early.txt", body: "x" });
    assert.equal(early.status, 400);
    assert.equal(early.body.errors[0].code, 203);
    await acceptedBy(agent, chat);
    const limits = assertEnvelope((await v2.op(chat, "file/limits")).body);
    const notice = limits.messages[0];
    assert.deepEqual([notice?.type, notice?.text, notice?.index], ["Notice", "file-client-cfg-get", undefined]);
    assert.deepEqual(Object.keys(notice?.userData ?? {}).sort(), [
      "delete-file",
      "download-attempts",
      "upload-file-types",
      "upload-max-file-size",
      "upload-max-files",
      "upload-max-total-size",
      "upload-need-agent",
      "used-download-attempts",
      "used-upload-max-files",
      "used-upload-max-total-size",
    ]);
    assert.equal(notice?.userData?.["upload-max-file-size"], "1000");

    const uploaded = await upload(base, { ...chat.keys, "userData[file-description]": "receipt" }, { name: "receipt.txt", body: "paid 10 EUR" });
    assert.equal(uploaded.status, 200, uploaded.text);
    const fileId = assertEnvelope(uploaded.body).userData?.["file-id"];
    assert.match(fileId ?? "", /^[A-Za-z0-9_-]{16,}$/);
    const polled = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "3" })).body);
    const entry = polled.messages.find((m) => m.type === "FileUploaded");
    assert.deepEqual(entry?.userData, {
      "file-id": fileId,
      "file-name": "receipt.txt",
      "file-size": "11",
      "file-type": "text/plain",
      "file-description": "receipt",
    });

    const download = await v2.op(chat, `file/${fileId}/download`);
    assert.equal(download.status, 200);
    assert.equal(download.text, "paid 10 EUR");
    assert.match(download.headers.get("content-disposition") ?? "", /^attachment; filename="receipt.txt"/);
    assert.equal(download.headers.get("x-content-type-options"), "nosniff");
    // The agent downloads it through the agent API, and sees it in the chat's messages.
    const agentDownload = await call("GET", `${server.url}/api/v2/interactions/${chat.chatId}/files/${fileId}`, undefined, agent.headers);
    assert.equal(agentDownload.status, 200);
    assert.equal(agentDownload.text, "paid 10 EUR");
    const stranger = await api.createAgent("gus");
    assert.equal((await call("GET", `${server.url}/api/v2/interactions/${chat.chatId}/files/${fileId}`, undefined, stranger.headers)).status, 404);

    assert.equal((await v2.op(chat, `file/${fileId}/download`)).status, 200, "a second download (of 2)");
    const third = await v2.op(chat, `file/${fileId}/download`);
    assert.equal(third.status, 400, "past download-attempts");

    const deleted = assertEnvelope((await v2.op(chat, `file/${fileId}/delete`)).body);
    assert.equal(deleted.statusCode, 0);
    assert.equal((await call("GET", `${server.url}/api/v2/interactions/${chat.chatId}/files/${fileId}`, undefined, agent.headers)).status, 404);
    const after = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "1" })).body);
    assert.equal(after.messages.at(-1)?.type, "FileDeleted");
    await notReady(agent);
  });

  it("refuses a type not allowed (203), a file too large (202), one file too many (201), a path in the name; nothing stored", async () => {
    const agent = await agentNamed("hal", true);
    const chat = await v2.start();
    await acceptedBy(agent, chat);
    const base = `${v2.base}/${chat.chatId}/file`;
    const exe = await upload(base, chat.keys, { name: "run.exe", body: "MZ" });
    assert.deepEqual([exe.status, exe.body.statusCode, exe.body.errors[0].code], [400, 2, 203]);
    const big = await upload(base, chat.keys, { name: "big.txt", body: "x".repeat(1001) });
    assert.deepEqual([big.status, big.body.errors[0].code, big.body.errors[0].advice], [400, 202, "1000"]);
    const sneaky = await upload(base, chat.keys, { name: "../../etc/passwd.txt", body: "a" });
    assert.equal(sneaky.status, 200);
    const stored = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "3" })).body).messages.find((m) => m.type === "FileUploaded");
    assert.equal(stored?.userData?.["file-name"], "passwd.txt", "only the last segment of a name is kept");
    const bidi = await upload(base, chat.keys, { name: "x\u202Efdp.txt", body: "b" });
    assert.equal(bidi.status, 200);
    const shown = assertEnvelope((await v2.op(chat, "refresh", { transcriptPosition: "4" })).body).messages.find((m) => m.type === "FileUploaded");
    assert.equal(shown?.userData?.["file-name"], "xfdp.txt", "no right-to-left override to disguise a name");
    const third = await upload(base, chat.keys, { name: "three.txt", body: "c" });
    assert.deepEqual([third.status, third.body.errors[0].code, third.body.errors[0].advice], [400, 201, "2"]);
    const used = assertEnvelope((await v2.op(chat, "file/limits")).body).messages[0]?.userData;
    assert.deepEqual([used?.["used-upload-max-files"], used?.["used-upload-max-total-size"]], ["2", "2"]);
    const noKey = await upload(base, { ...chat.keys, secureKey: "wrong" }, { name: "x.txt", body: "x" });
    assert.deepEqual([noKey.status, noKey.body.statusCode, noKey.body.errors[0].code], [200, 2, 401]);
    await notReady(agent);
  });

  it("chat-ntf: by secureKey alone; iOS's misspelt fileGetsLimits and its upload without an operation", async () => {
    const agent = await agentNamed("ivy", true);
    const chat = await v2.start();
    await acceptedBy(agent, chat);
    const ntf = `${server.url}/genesys/2/chat-ntf`;
    const limits = await upload(ntf, { operation: "fileGetsLimits", secureKey: chat.keys.secureKey ?? "" }, null);
    assert.equal(assertEnvelope(limits.body).messages[0]?.text, "file-client-cfg-get");
    const sent = await upload(ntf, { secureKey: chat.keys.secureKey ?? "", clientId: "ignored" }, { name: "photo.png", body: "PNG" });
    assert.equal(sent.status, 200, sent.text);
    const fileId = assertEnvelope(sent.body).userData?.["file-id"] ?? "";
    const fetched = await upload(ntf, { operation: "fileDownload", secureKey: chat.keys.secureKey ?? "", fileId }, null);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.text, "PNG");
    assert.match(fetched.headers.get("content-type") ?? "", /^image\/png/);
    const removed = await upload(ntf, { operation: "fileDelete", secureKey: chat.keys.secureKey ?? "", fileId }, null);
    assert.equal(assertEnvelope(removed.body).statusCode, 0);
  });
});

describe("what files may hold of the server", () => {
  it("reads at most two uploads at once from one address: a third waiting body is refused before it is read (429)", async () => {
    const chat = await v2.start();
    const url = new URL(`${v2.base}/${chat.chatId}/file`);
    const { request } = await import("node:http");
    // Two uploads whose bodies never finish.
    const fates: string[] = [];
    const held = [0, 1].map(() => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=xyz", "content-length": "100000" },
      });
      req.on("error", (err) => fates.push(`error ${err.message}`));
      req.on("response", (res) => fates.push(`answered ${res.statusCode}`));
      req.flushHeaders();
      req.write("--xyz\r\n");
      return req;
    });
    try {
      const third = await eventuallyStatus(
        () => upload(url.href, chat.keys, { name: "third.txt", body: "x" }),
        429,
        () => `held uploads: ${fates.join(", ") || "still open"}`,
      );
      assert.equal(third.body.statusCode, 1);
    } finally {
      for (const req of held) req.destroy();
    }
    // Once they are gone, uploads are read again (this one is refused for having no agent, after its body was read).
    const later = await eventuallyStatus(() => upload(url.href, chat.keys, { name: "later.txt", body: "x" }), 400);
    assert.equal(later.body.errors[0].code, 203);
  });

  it("an expired chat's files leave the disk with it", async () => {
    let now = Date.now();
    const own = await startServer({ now: () => now, env: { CHAT_V2_FILE_NEED_AGENT: "false" } });
    try {
      const ownV2 = chatV2Api(own.url);
      const chat = await ownV2.start();
      const sent = await upload(`${ownV2.base}/${chat.chatId}/file`, chat.keys, { name: "gone.txt", body: "bytes" });
      const fileId = assertEnvelope(sent.body).userData?.["file-id"] ?? "";
      const { existsSync } = await import("node:fs");
      const path = `${own.dir}/files/${fileId}`;
      assert.equal(existsSync(path), true, "kept beside the database");
      await ownV2.op(chat, "disconnect");
      now += 2 * 3600 * 1000;
      const { until } = await import("../support/server.ts");
      await until(() => !existsSync(path), 5000, "the expired chat's file removed");
    } finally {
      await own.close();
    }
  });
});

/** Retries `send` until it answers `status` (the server may not have seen the held requests yet). */
async function eventuallyStatus(send: () => Promise<Reply>, status: number, context: () => string = () => ""): Promise<Reply> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const reply = await send();
    if (reply.status === status || Date.now() > deadline) {
      assert.equal(reply.status, status, `${reply.text} ${context()}`);
      return reply;
    }
  }
}

/**
 * Issue 15, item 1: an anonymous customer chatted normally, and when an agent clicked Accept the
 * process exited. Its nickname had no cap and was stored in every transcript entry, so a few
 * hundred 40-byte typing notices made a whole-transcript `NewMessages` past V8's string limit,
 * in a promise nobody caught. Now: every named field has a cap, a nickname is stored once per
 * chat and party, a transcript is bounded in bytes, and joining agents get it in pages.
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Message } from "cometd";
import { TRANSCRIPT_PAGE_BYTES as PAGE_BYTES } from "../../src/actions/chat-delivery.ts";
import { ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { chatApi, storedChat } from "../support/chat.ts";
import { cometdClient } from "../support/cometd.ts";
import { assertGmsError, eventually, get, startServer, type TestServer } from "../support/server.ts";

/** A transcript of 1 MiB, four times the default cap, to show the pages at work. */
const CAP = 1024 * 1024;

describe("the customer's named fields", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it("a nickname of a million characters (the crash's) and any named field past CHAT_MAX_FIELD_CHARS get 400, and no chat starts", async () => {
    const chat = chatApi(server.url);
    const id = await chat.create();
    const tooLong = (n: number) => "N".repeat(n);
    for (const [field, value] of [
      ["userDisplayName", tooLong(1_000_000)],
      ["userDisplayName", tooLong(257)],
      ["firstName", tooLong(257)],
      ["lastName", tooLong(257)],
      ["email", `${tooLong(250)}@example.com`],
      ["subject", tooLong(257)],
      ["customer_id", tooLong(257)],
    ] as const) {
      const refused = assertGmsError(await chat.call(id, "ixn/chat", { [field]: value }), 400, "BadRequestException");
      assert.match(refused.message, new RegExp(`^${field}: at most 256 characters`));
    }
    assert.equal((await server.app.store.chats.get(id))?.chat, null, "nothing was created");
    const ok = await chat.call(id, "ixn/chat", { userDisplayName: tooLong(256) });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe("a transcript at its largest, to an agent who accepts", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, CHAT_ENTRIES_PER_MINUTE: "0", CHAT_MAX_TRANSCRIPT_BYTES: String(CAP) } });
  });
  after(() => server.close());

  it("fills to CHAT_MAX_TRANSCRIPT_BYTES, then arrives whole, in order, in NewMessages pages of at most 64 KiB; the server stays up", async () => {
    const api = agentApi(server.url);
    const chat = chatApi(server.url);
    const agent = await api.createAgent("pager");
    const desk = cometdClient(`${server.url}/api/v2/notifications`, { transport: "long-polling", headers: agent.headers });
    await desk.handshake();
    await desk.subscribe("/v2/me/interactions");
    try {
      await api.ready(agent, "chat");
      const id = await chat.create();
      const nick = "N".repeat(256);
      assert.equal((await chat.call(id, "ixn/chat", { userDisplayName: nick })).status, 200);
      // The largest messages, with the largest nickname, until the transcript is full.
      let sent = 0;
      for (;;) {
        const reply = await chat.call(id, "ixn/chat/send", { message: "x".repeat(8192) });
        if (reply.status !== 200) {
          assert.match(assertGmsError(reply, 400, "InvalidStateException").message, /transcript of this chat is full/);
          break;
        }
        sent++;
      }
      assert.equal(sent, Math.floor(CAP / (8192 + 256)), "CHAT_MAX_TRANSCRIPT_BYTES counts text and nickname");
      // What room is left takes smaller entries, until it too is full.
      let typed = 0;
      while ((await chat.call(id, "ixn/chat/startTyping")).status === 200) typed++;
      assert.equal(typed, Math.floor((CAP % (8192 + 256)) / ("is typing".length + 256)));
      assertGmsError(await chat.call(id, "ixn/chat/startTyping"), 400, "InvalidStateException");

      const ixId = (await storedChat(server, id)).interactionId;
      await api.sees(agent, ixId, "Invited");
      assert.equal((await api.operate(agent, ixId, { operationName: "Accept" })).body.statusCode, 0);
      const pages = await eventually(
        async () => {
          const got = desk.received.filter((m: Message) => m.data?.notificationType === "NewMessages" && m.data.id === ixId);
          const last = got.at(-1)?.data.messages.at(-1);
          return last?.type === "ParticipantJoined" ? got : undefined;
        },
        10_000,
        "the whole transcript at the agent",
      );
      assert.ok(pages.length > 1, "a long chat arrives in several pages");
      for (const page of pages) {
        assert.ok(Buffer.byteLength(JSON.stringify(page)) <= PAGE_BYTES + 1024, "each page stays within its bound");
        assert.equal(page.data.interaction, undefined, "no interaction object with every page");
      }
      const indexes = pages.flatMap((m: Message) => m.data.messages.map((e: { index: number }) => e.index));
      assert.deepEqual(
        indexes,
        Array.from({ length: sent + typed + 1 }, (_, i) => i + 1),
        "every entry once, in order: the customer's, then the agent joining",
      );
      assert.equal((await get(`${server.url}/health`)).status, 200);
    } finally {
      await desk.disconnect();
    }
  });
});

describe("a nickname is stored once per chat and party, not in every entry", () => {
  /** The database file after `notices` typing notices under a nickname of `nickChars`. */
  async function databaseBytes(nickChars: number, notices: number): Promise<number> {
    const server = await startServer({
      keep: true,
      env: { CHAT_ENTRIES_PER_MINUTE: "0", CHAT_MAX_TRANSCRIPT_ENTRIES: "100000", CHAT_MAX_TRANSCRIPT_BYTES: "1048576" },
    });
    try {
      const chat = chatApi(server.url);
      const id = await chat.create();
      assert.equal((await chat.call(id, "ixn/chat", { userDisplayName: "N".repeat(nickChars) })).status, 200);
      for (let i = 0; i < notices; i++) {
        const reply = await chat.call(id, i % 2 === 0 ? "ixn/chat/startTyping" : "ixn/chat/stopTyping");
        assert.equal(reply.status, 200, reply.text);
      }
    } finally {
      // Closing checkpoints the write-ahead log into the file.
      await server.app.close();
    }
    return statSync(join(server.dir, "parley.db")).size;
  }

  it("1,000 typing notices under a 256-character nickname take the space they take under a 1-character one", async () => {
    const notices = 1000;
    const short = await databaseBytes(1, notices);
    const long = await databaseBytes(256, notices);
    // Stored per entry, the long nickname would add 255 bytes to each of the 1,000 rows.
    assert.ok(long - short < 32 * 1024, `the long nickname cost ${long - short} bytes more`);
  });
});

/**
 * Issue 15, item 4: one client opened 54 chats in 0.3 s, each routed to agents ahead of real
 * customers and kept as contact history. Now opening chats has a rate and a count per address
 * and per gms_user, what a customer adds to a chat has a rate, contact history can have a
 * retention, and (item 13) the app-went-to-the-background notice respects the transcript's cap.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message } from "cometd";
import { assertRateLimited, chatApi, entries, from, GMS_SECRET, provenUser, storedChat, withChat } from "../support/chat.ts";
import { cometdClient } from "../support/cometd.ts";
import { eventually, get, type TestServer } from "../support/server.ts";

/** Creates a service for `headers`' client each call (creation limits off in these tests). */
function creator(server: TestServer, headers: Record<string, string>): () => Promise<string> {
  const chat = chatApi(server.url);
  return () => chat.create("request-chat", {}, headers);
}

describe("opening chats", () => {
  const open = { CHAT_SERVICES_PER_MINUTE_PER_IP: "0", CHAT_SERVICES_PER_MINUTE_PER_USER: "0" };

  it("has a rate per address (CHATS_PER_MINUTE_PER_IP): the refused chat is not queued", () =>
    withChat({ ...open, CHATS_PER_MINUTE_PER_IP: "2" }, async (server) => {
      const chat = chatApi(server.url);
      const create = creator(server, from("198.51.100.10"));
      const [a, b, c] = await Promise.all([create(), create(), create()]);
      assert.equal((await chat.call(a, "ixn/chat", {}, from("198.51.100.10"))).status, 200);
      assert.equal((await chat.call(b, "ixn/chat", {}, from("198.51.100.10"))).status, 200);
      assertRateLimited(await chat.call(c, "ixn/chat", {}, from("198.51.100.10")));
      assert.equal((await server.app.store.chats.get(c))?.chat, null);
      assert.equal((await server.app.store.agentInteractions.queued(100)).length, 2, "two chats wait for agents, not three");
      assert.equal((await chat.call(c, "ixn/chat", {}, from("198.51.100.11"))).status, 200, "another address is not held back");
    }));

  it("has a rate per proven gms_user (CHATS_PER_MINUTE_PER_USER)", () =>
    withChat({ ...open, CHATS_PER_MINUTE_PER_USER: "1", GMS_USER_SECRET: GMS_SECRET }, async (server) => {
      const chat = chatApi(server.url);
      const g1 = await provenUser("g1");
      const create = creator(server, g1);
      const [a, b] = await Promise.all([create(), create()]);
      assert.equal((await chat.call(a, "ixn/chat", {}, { ...g1, ...from("198.51.100.12") })).status, 200);
      assertRateLimited(await chat.call(b, "ixn/chat", {}, { ...g1, ...from("198.51.100.13") }));
    }));

  it("counts an open chat for the address that opened it, not the one that created its service", () =>
    withChat({ ...open, CHATS_PER_MINUTE_PER_IP: "0", CHAT_OPEN_CHATS_PER_IP: "1" }, async (server) => {
      const chat = chatApi(server.url);
      const create = creator(server, from("198.51.100.18"));
      const [a, b] = await Promise.all([create(), create()]);
      assert.equal((await chat.call(a, "ixn/chat", {}, from("198.51.100.19"))).status, 200);
      assertRateLimited(await chat.call(b, "ixn/chat", {}, from("198.51.100.19")));
    }));

  it("counts open chats right under parallel requests: eight at once against a cap of one open one", () =>
    withChat({ ...open, CHATS_PER_MINUTE_PER_IP: "0", CHAT_OPEN_CHATS_PER_IP: "1" }, async (server) => {
      const chat = chatApi(server.url);
      const create = creator(server, from("198.51.100.17"));
      const ids = await Promise.all(Array.from({ length: 8 }, create));
      const replies = await Promise.all(ids.map((id) => chat.call(id, "ixn/chat", {}, from("198.51.100.17"))));
      assert.deepEqual(replies.map((r) => r.status).sort(), [200, 429, 429, 429, 429, 429, 429, 429]);
      assert.equal(await server.app.store.chats.openChatsBy({ address: "198.51.100.17" }), 1);
    }));

  it("counts open chats per address (CHAT_OPEN_CHATS_PER_IP) and per proven gms_user (CHAT_OPEN_CHATS_PER_USER); an ended chat makes room", () =>
    withChat(
      {
        ...open,
        CHATS_PER_MINUTE_PER_IP: "0",
        CHATS_PER_MINUTE_PER_USER: "0",
        CHAT_OPEN_CHATS_PER_IP: "2",
        CHAT_OPEN_CHATS_PER_USER: "1",
        GMS_USER_SECRET: GMS_SECRET,
      },
      async (server) => {
        const chat = chatApi(server.url);
        const create = creator(server, from("198.51.100.14"));
        const [a, b, c] = await Promise.all([create(), create(), create()]);
        assert.equal((await chat.call(a, "ixn/chat", {}, from("198.51.100.14"))).status, 200);
        assert.equal((await chat.call(b, "ixn/chat", {}, from("198.51.100.14"))).status, 200);
        assertRateLimited(await chat.call(c, "ixn/chat", {}, from("198.51.100.14")));
        assert.equal((await chat.call(a, "ixn/chat/disconnect", {}, from("198.51.100.14"))).status, 200);
        assert.equal((await chat.call(c, "ixn/chat", {}, from("198.51.100.14"))).status, 200);

        const g2 = await provenUser("g2");
        const createAsG2 = creator(server, { ...g2, ...from("198.51.100.15") });
        const [u1, u2] = await Promise.all([createAsG2(), createAsG2()]);
        assert.equal((await chat.call(u1, "ixn/chat", {}, { ...g2, ...from("198.51.100.15") })).status, 200);
        assertRateLimited(await chat.call(u2, "ixn/chat", {}, { ...g2, ...from("198.51.100.16") }));
      },
    ));
});

describe("what a customer adds to a chat", () => {
  it("has a rate (CHAT_ENTRIES_PER_MINUTE): a message past it gets 429 and is not stored, a typing notice past it is dropped", () =>
    withChat({ CHAT_ENTRIES_PER_MINUTE: "3" }, async (server, clock) => {
      const chat = chatApi(server.url);
      const id = await chat.create();
      assert.equal((await chat.call(id, "ixn/chat")).status, 200);
      for (const text of ["one", "two", "three"]) assert.equal((await chat.call(id, "ixn/chat/send", { message: text })).status, 200);
      assertRateLimited(await chat.call(id, "ixn/chat/send", { message: "four" }));
      const typing = await chat.call(id, "ixn/chat/startTyping");
      assert.equal(typing.status, 200, "a client never breaks over a typing notice");
      clock.advance(20_000);
      assert.equal((await chat.call(id, "ixn/chat/send", { message: "five" })).status, 200);
      const all = await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" });
      assert.deepEqual(
        entries(all).map((e) => [e[0], e[2]]),
        [
          ["Message.Text", "one"],
          ["Message.Text", "two"],
          ["Message.Text", "three"],
          ["Message.Text", "five"],
        ],
      );
    }));
});

describe("contact history", () => {
  it("is kept forever by default, and deleted by the sweep past CS_HISTORY_RETENTION, with the completed interaction's attached data", async () => {
    for (const [retention, kept] of [
      [undefined, true],
      ["1d", false],
    ] as const) {
      await withChat(retention === undefined ? {} : { CS_HISTORY_RETENTION: retention }, async (server, clock) => {
        const chat = chatApi(server.url);
        const id = await chat.create();
        await chat.call(id, "ixn/chat");
        const ixId = (await storedChat(server, id)).interactionId;
        await chat.call(id, "ixn/chat/disconnect");
        assert.equal((await get(`${server.cs}/interactions/${ixId}`)).status, 200);
        clock.advance(86_400_000 + 1000);
        await server.app.housekeeping.sweep();
        assert.equal((await get(`${server.cs}/interactions/${ixId}`)).status, kept ? 200 : 404);
        assert.equal((await server.app.store.agentInteractions.get(ixId)) === null, !kept, "the work row and its attached data go with it");
      });
    }
  });
});

describe("the app-went-to-the-background notice (item 13)", () => {
  /** A comet-mode chat of `user`, and `rounds` of its app going to the background and coming back; the transcript after. */
  async function backgroundRounds(server: TestServer, user: string, rounds: number) {
    const chat = chatApi(server.url);
    const id = await chat.create("request-chat", {}, { gms_user: user });
    assert.equal((await chat.call(id, "ixn/chat", { notify_by: "comet" }, { gms_user: user })).status, 200);
    const ixId = (await storedChat(server, id)).interactionId;
    for (let round = 0; round < rounds; round++) {
      const app = cometdClient(`${server.url}/genesys/cometd`, { transport: "long-polling", gmsUser: user });
      await app.handshake();
      await new Promise<Message>((resolve) => app.cometd.disconnect({ ext: { transcriptPosition: "1" } }, resolve));
      await eventually(async () => ((await storedChat(server, id)).awaySince !== null ? true : undefined), 5000, "the app away");
      // The app comes back: its next request ends the away state, ready for the next round.
      await chat.call(id, "ixn/chat/refresh", {}, { gms_user: user });
    }
    return server.app.store.chats.transcript(ixId, 1, 100);
  }

  it("counts in the chat's entry rate (CHAT_ENTRIES_PER_MINUTE): handshake and disconnect rounds add no more than it allows", () =>
    withChat({ CHAT_ENTRIES_PER_MINUTE: "3" }, async (server) => {
      assert.equal((await backgroundRounds(server, "rounds", 8)).length, 3, "three notices a minute, no more");
    }));

  it("stops once the transcript holds CHAT_MAX_TRANSCRIPT_ENTRIES, however many handshake and disconnect rounds the app makes", () =>
    withChat({ CHAT_MAX_TRANSCRIPT_ENTRIES: "10" }, async (server) => {
      const transcript = await backgroundRounds(server, "mobile", 15);
      assert.equal(transcript.length, 10, "no notice past the cap");
      assert.ok(transcript.every((e) => e.text === "went to the background"));
    }));
});

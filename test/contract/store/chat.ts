/** Chat services, their chat and transcripts, and the counts and locks of the per-client limits. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Chat, ChatService } from "../../../src/domain/chat.ts";
import type { Store } from "../../../src/store/store.ts";
import { present } from "../../support/server.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function chatContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("chat services and transcripts", () => {
    const service = (id: string, overrides: Partial<ChatService> = {}): ChatService => ({
      id,
      name: "request-chat",
      kind: "basic",
      queue: "default",
      gmsUser: "u1",
      clientAddress: "203.0.113.7",
      data: { topic: "x", nested: '{"a":1}' },
      device: null,
      status: null,
      createdAt: T0,
      expiresAt: T0 + 60_000,
      chat: null,
      ...overrides,
    });
    const chat = (interactionId: string, overrides: Partial<Chat> = {}): Chat => ({
      interactionId,
      api: 1,
      notifyBy: "comet",
      nickname: "VasyaP",
      userId: "U",
      secureKey: "k",
      clientTimeZoneOffset: "-420",
      startedAt: T0,
      ended: false,
      nextPosition: 1,
      transcriptBytes: 0,
      delivered: 1,
      lastSeenAt: T0,
      awaySince: null,
      pushedPosition: 1,
      ...overrides,
    });

    it("stores a service, its chat and its transcript, and finds them by id, interaction and user", async () => {
      await store.chats.insert(service("s1", { device: { notificationId: "d1", os: "ios" } }));
      assert.deepEqual((await store.chats.get("s1"))?.device, { notificationId: "d1", os: "ios" });
      assert.equal(await store.chats.get("nope"), null);
      const s = { ...present(await store.chats.get("s1"), "service s1"), chat: chat("ix-s1") };
      await store.transaction(async (tx) => {
        const locked = { ...present(await tx.chats.get("s1", { lock: true }), "service s1"), chat: { ...s.chat, nextPosition: 3 } };
        await tx.chats.append("ix-s1", [
          { position: 1, type: "Message.Text", nick: "VasyaP", text: "héllo <b>", at: T0 + 1000, userType: "CLIENT" },
          { position: 2, type: "Notice.Joined", nick: "Ann", text: "has joined the session", at: T0 + 2000, userType: "AGENT" },
        ]);
        await tx.chats.save(locked);
      });
      const saved = present(await store.chats.byInteraction("ix-s1"), "the service of ix-s1");
      assert.deepEqual(saved.chat, chat("ix-s1", { nextPosition: 3 }));
      assert.deepEqual(saved.data, { topic: "x", nested: '{"a":1}' });
      assert.deepEqual(
        (await store.chats.transcript("ix-s1", 2, 10)).map((e) => [e.position, e.type, e.at]),
        [[2, "Notice.Joined", T0 + 2000]],
      );
      assert.equal((await store.chats.transcript("ix-s1", 1, 10))[0]?.text, "héllo <b>");
      assert.deepEqual(
        (await store.chats.openChatsOf("u1")).map((c) => c.id),
        ["s1"],
      );
      assert.deepEqual(await store.chats.openChatsOf("u2"), []);
      await assert.rejects(store.chats.append("ix-s1", [{ position: 2, type: "Message.Text", nick: "x", text: "dup", at: T0, userType: "CLIENT" }]));
    });

    it("keeps each party's nickname once per chat: entries of one party share it, a new nickname is a new party", async () => {
      await store.chats.insert(service("sp", { chat: chat("ix-sp") }));
      const entry = (position: number, nick: string, userType: "CLIENT" | "AGENT") => ({
        position,
        type: "Message.Text" as const,
        nick,
        text: `m${position}`,
        at: T0 + position,
        userType,
      });
      await store.transaction(async (tx) => {
        await tx.chats.append("ix-sp", [entry(1, "VasyaP", "CLIENT"), entry(2, "Ann", "AGENT"), entry(3, "VasyaP", "CLIENT")]);
        await tx.chats.append("ix-sp", [entry(4, "Vasya Pupkin", "CLIENT")]);
        // The same nickname for an agent and a customer names two parties.
        await tx.chats.append("ix-sp", [entry(5, "VasyaP", "AGENT")]);
      });
      assert.deepEqual(
        (await store.chats.transcript("ix-sp", 1, 10)).map((e) => [e.position, e.nick, e.userType]),
        [
          [1, "VasyaP", "CLIENT"],
          [2, "Ann", "AGENT"],
          [3, "VasyaP", "CLIENT"],
          [4, "Vasya Pupkin", "CLIENT"],
          [5, "VasyaP", "AGENT"],
        ],
      );
      assert.deepEqual(
        (await store.chats.transcript("ix-sp", 4, 1)).map((e) => e.nick),
        ["Vasya Pupkin"],
      );
      await store.chats.delete("sp");
      assert.deepEqual(await store.chats.transcript("ix-sp", 1, 10), []);
    });

    it("counts open services per address and open chats per address and per gms_user", async () => {
      const ids: string[] = [];
      const from = (address: string, overrides: Partial<ChatService>) => {
        ids.push(`c-${address}-${ids.length}`);
        return service(present(ids.at(-1), "a service id"), { clientAddress: address, ...overrides });
      };
      await store.chats.insert(from("a1", {}));
      await store.chats.insert(from("a1", { gmsUser: "g1", chat: chat("ix-c1") }));
      await store.chats.insert(from("a1", { gmsUser: "g1", chat: chat("ix-c2", { ended: true }) }));
      await store.chats.insert(from("a1", { expiresAt: T0 - 1 }));
      await store.chats.insert(from("a2", { gmsUser: "g1", chat: chat("ix-c3") }));
      assert.equal(await store.chats.openServicesFrom("a1", T0), 2, "one without a chat, one with an open chat");
      assert.equal(await store.chats.openServicesFrom("a3", T0), 0);
      assert.equal(await store.chats.openChatsBy({ address: "a1" }), 1);
      assert.equal(await store.chats.openChatsBy({ address: "a2" }), 1);
      assert.equal(await store.chats.openChatsBy({ gmsUser: "g1" }), 2);
      assert.equal(await store.chats.openChatsBy({ gmsUser: "nobody" }), 0);
      for (const id of ids) await store.chats.delete(id);
    });

    it("lockClients serialises one client's transactions: what they count of it stays true while they add to it", async () => {
      const create = (id: string) =>
        store.transaction(async (tx) => {
          await tx.chats.lockClients(["user u-lock", "address a-lock"]);
          const open = await tx.chats.openServicesFrom("a-lock", T0);
          if (open === 0) await tx.chats.insert(service(id, { clientAddress: "a-lock" }));
          return open;
        });
      const counted = await Promise.all([create("lock1"), create("lock2"), create("lock3")]);
      assert.deepEqual(counted.sort(), [0, 1, 1], "one created it; the others saw it");
      for (const id of ["lock1", "lock2", "lock3"]) await store.chats.delete(id);
    });

    it("finds silent, away and expired chats and waiting services; seen() keeps chats alive", async () => {
      await store.chats.insert(service("s2", { gmsUser: "quiet", chat: chat("ix-s2", { lastSeenAt: T0 - 10_000 }) }));
      await store.chats.insert(service("s3", { gmsUser: "away", chat: chat("ix-s3", { awaySince: T0, nextPosition: 4, pushedPosition: 2 }) }));
      await store.chats.insert(service("s4", { kind: "advanced", status: "waiting", expiresAt: T0 - 1 }));
      await store.chats.insert(service("s5", { chat: chat("ix-s5", { ended: true }), expiresAt: T0 - 1 }));
      assert.deepEqual(
        (await store.chats.silent(T0 - 5000, 10)).map((s) => s.id),
        ["s2"],
      );
      await store.chats.seen(["s2"], T0);
      assert.deepEqual(await store.chats.silent(T0 - 5000, 10), []);
      assert.deepEqual(
        (await store.chats.awayDue(T0, 10)).map((s) => s.id),
        ["s3"],
      );
      assert.deepEqual(await store.chats.awayDue(T0 - 1, 10), []);
      assert.deepEqual(
        (await store.chats.waiting(10)).map((s) => s.id),
        ["s4"],
      );
      assert.deepEqual((await store.chats.expired(T0, 10)).sort(), ["s4", "s5"]);
      await store.chats.delete("s5");
      assert.equal(await store.chats.get("s5"), null);
      assert.deepEqual(await store.chats.transcript("ix-s5", 1, 10), []);
    });

    it("finds a Chat API v2 chat by its secureKey (never a v1 chat), and keeps file entries' details and files", async () => {
      await store.chats.insert(service("v2a", { gmsUser: null, chat: chat("ix-v2a", { api: 2, secureKey: "key-v2a-0123456789abcd" }) }));
      await store.chats.insert(service("v1a", { chat: chat("ix-v1a", { secureKey: "key-v1a" }) }));
      assert.equal((await store.chats.bySecureKey("key-v2a-0123456789abcd"))?.id, "v2a");
      assert.equal((await store.chats.bySecureKey("key-v2a-0123456789abcd"))?.chat?.api, 2);
      assert.equal(await store.chats.bySecureKey("key-v1a"), null, "a v1 chat is never found by its key");
      assert.equal(await store.chats.bySecureKey("nope"), null);
      const data = { "file-id": "f1", "file-name": "a.txt", "file-size": "3" };
      await store.chats.append("ix-v2a", [{ position: 1, type: "Notice.FileUploaded", nick: "Ann", text: "a.txt", at: T0, userType: "CLIENT", data }]);
      const [entry] = await store.chats.transcript("ix-v2a", 1, 10);
      assert.deepEqual(entry?.data, data);
      const file = {
        id: "f1",
        interactionId: "ix-v2a",
        name: "a.txt",
        type: "text/plain",
        size: 3,
        description: "",
        uploadedAt: T0,
        deleted: false,
        downloads: 0,
      };
      await store.chats.addFile(file);
      await store.chats.addFile({ ...file, id: "f2", uploadedAt: T0 + 1 });
      assert.deepEqual(await store.chats.file("f1"), file);
      await store.chats.saveFile({ ...file, deleted: true, downloads: 2 });
      assert.deepEqual(await store.chats.file("f1"), { ...file, deleted: true, downloads: 2 });
      assert.deepEqual(
        (await store.chats.filesOf("ix-v2a")).map((f) => f.id),
        ["f1", "f2"],
      );
      await store.chats.delete("v2a");
      assert.equal(await store.chats.file("f2"), null, "a service's removal takes its files' rows");
      await store.chats.delete("v1a");
    });
  });
}

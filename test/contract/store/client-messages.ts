/** Transcript entries sent with a clientMessageId (issue 20): found by it, and never stored twice in one chat. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { clientMessageKey, type TranscriptEntry } from "../../../src/domain/chat.ts";
import { UniqueViolation, type Store } from "../../../src/store/store.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function clientMessagesContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  const message = (position: number, text: string, clientMessageKey?: string): TranscriptEntry => ({
    position,
    type: "Message.Text",
    nick: "Ann",
    text,
    at: T0 + position,
    userType: "CLIENT",
    ...(clientMessageKey === undefined ? {} : { clientMessageKey }),
  });
  const customer = (id: string) => clientMessageKey("customer", id);

  describe("transcript entries by clientMessageId", () => {
    it("finds the entry a key was stored with, in its chat only; entries without a key are never found", async () => {
      await store.chats.append("ix-cm1", [message(1, "no key"), message(2, "hello", customer("m-1")), message(3, "also no key")]);
      await store.chats.append("ix-cm2", [message(1, "other chat", customer("m-2"))]);
      assert.deepEqual(await store.chats.byClientMessage("ix-cm1", customer("m-1")), message(2, "hello", customer("m-1")));
      assert.equal(await store.chats.byClientMessage("ix-cm1", customer("m-2")), null, "another chat's key");
      assert.equal(await store.chats.byClientMessage("ix-cm2", customer("m-1")), null);
      assert.equal(await store.chats.byClientMessage("ix-cm1", clientMessageKey({ agentId: "a1" }, "m-1")), null, "another sender's key");
      assert.deepEqual(
        (await store.chats.transcript("ix-cm1", 1, 10)).map((e) => [e.position, e.text, e.clientMessageKey]),
        [
          [1, "no key", undefined],
          [2, "hello", undefined],
          [3, "also no key", undefined],
        ],
        "a transcript read leaves the key out",
      );
    });

    it("refuses a key its chat has already with UniqueViolation, in a transaction too (which then stores nothing)", async () => {
      await store.chats.append("ix-cm3", [message(1, "first", customer("same"))]);
      await assert.rejects(store.chats.append("ix-cm3", [message(2, "again", customer("same"))]), UniqueViolation);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.chats.append("ix-cm3", [message(2, "before")]);
          await tx.chats.append("ix-cm3", [message(3, "again", customer("same"))]);
        }),
        UniqueViolation,
      );
      // The same id from another sender, or in another chat, is another message.
      await store.chats.append("ix-cm3", [message(2, "agent's", clientMessageKey({ agentId: "a1" }, "same"))]);
      await store.chats.append("ix-cm4", [message(1, "elsewhere", customer("same"))]);
      assert.deepEqual(
        (await store.chats.transcript("ix-cm3", 1, 10)).map((e) => e.text),
        ["first", "agent's"],
      );
    });
  });
}

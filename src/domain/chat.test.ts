import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyCustomerOperation, entryBytes, openChat, pageBy, type CustomerOperation, type OpenChatService } from "./chat.ts";
import { checkBusinessData, checkCustomerFields } from "./chat-input.ts";

describe("checkCustomerFields", () => {
  it("refuses a named field past the cap, naming it; other parameters are not its business", () => {
    checkCustomerFields({ firstName: "x".repeat(256), topic: "y".repeat(10_000) }, 256);
    assert.throws(() => checkCustomerFields({ email: "x".repeat(257) }, 256), /^AppError: email: at most 256 characters/);
  });
});

describe("checkBusinessData", () => {
  const limits = { maxBytes: 100, maxValueChars: 40 };

  it("counts keys and values as the JSON they are stored as: quotes take two bytes, control characters six", () => {
    checkBusinessData({ k: "x".repeat(40), l: "y".repeat(40) }, limits);
    assert.throws(() => checkBusinessData({ k: '"'.repeat(40), l: '"'.repeat(40) }, limits), /business data: at most 100 bytes/);
    assert.throws(() => checkBusinessData({ k: "\u0001".repeat(20) }, limits), /business data/);
  });

  it("refuses one value past its own cap, naming its key", () => {
    assert.throws(() => checkBusinessData({ long: "x".repeat(41) }, limits), /^AppError: long: at most 40 characters/);
  });
});

describe("entryBytes and pageBy", () => {
  it("an entry weighs its text and its nickname, in UTF-8, as the history's XML keeps them", () => {
    assert.equal(entryBytes({ text: "héllo", nick: "Ann" }), 9);
    assert.equal(entryBytes({ text: "<<", nick: '"' }), 8 + 6, "escaped: a < is four, a quote in the nickname six");
  });

  it("pages stay within the bound, in order; an item larger than the bound has a page of its own", () => {
    const size = (n: number) => n;
    assert.deepEqual(pageBy([3, 3, 3, 10, 1, 1], size, 6), [[3, 3], [3], [10], [1, 1]]);
    assert.deepEqual(pageBy([], size, 6), []);
  });
});

describe("applyCustomerOperation", () => {
  const rules = { transcript: { maxEntries: 3, maxBytes: 1000 }, customerTimeoutMs: 60_000, ttlMs: 3_600_000, disconnectedAs400: false };
  const chat = openChat({ interactionId: "IX", api: 1, notifyBy: "poll", nickname: "Ann", clientTimeZoneOffset: "0", userId: "U", secureKey: "k" }, 0);
  const service: OpenChatService = {
    id: "S",
    name: "request-chat",
    kind: "basic",
    queue: "default",
    gmsUser: null,
    clientAddress: null,
    data: {},
    device: null,
    status: null,
    createdAt: 0,
    expiresAt: 1000,
    chat,
  };
  const apply = (s: OpenChatService, op: CustomerOperation, now = 1000) => {
    const step = applyCustomerOperation(s, op, now, rules);
    if ("refused" in step) throw step.refused;
    return step;
  };

  it("a message is numbered, counted, delivered in poll mode, and leaves the input untouched", () => {
    const step = apply(service, { name: "send", message: "hi" });
    assert.deepEqual(
      step.entries.map((e) => [e.position, e.type, e.nick, e.text]),
      [[1, "Message.Text", "Ann", "hi"]],
    );
    assert.equal(step.next.chat.nextPosition, 2);
    assert.equal(step.next.chat.delivered, 2);
    assert.equal(step.next.expiresAt, 1000 + rules.ttlMs);
    assert.equal(step.changed, true);
    assert.equal(service.chat.nextPosition, 1, "pure: the state it was given is not changed");
  });

  it("a typing notice past the entry rate adds nothing; a quiet poll soon after changes nothing", () => {
    const step = apply(service, { name: "startTyping", withinRate: false }, 10);
    assert.deepEqual(step.entries, []);
    assert.equal(step.changed, false);
  });

  it("a full transcript refuses what the customer sends, but leaving always goes in and ends the chat", () => {
    const full: OpenChatService = { ...service, chat: { ...chat, nextPosition: 4 } };
    assert.equal("refused" in applyCustomerOperation(full, { name: "send", message: "x" }, 1, rules), true);
    const left = apply(full, { name: "disconnect" });
    assert.equal(left.ended, true);
    assert.equal(left.next.chat.ended, true);
    assert.deepEqual(
      left.entries.map((e) => e.type),
      ["Notice.Left"],
    );
  });

  it("an ended chat serves refresh and disconnect only, adding nothing", () => {
    const ended: OpenChatService = { ...service, chat: { ...chat, ended: true } };
    assert.equal("refused" in applyCustomerOperation(ended, { name: "send", message: "x" }, 1, rules), true);
    assert.deepEqual(apply(ended, { name: "refresh", message: "late" }).entries, []);
    assert.equal(apply(ended, { name: "disconnect" }).ended, false, "it ended before: nothing ends again");
    const strict = { ...rules, disconnectedAs400: true };
    assert.equal("refused" in applyCustomerOperation(ended, { name: "refresh", message: null }, 1, strict), true, "disconnectedAs400: refresh refused too");
    assert.equal("refused" in applyCustomerOperation(ended, { name: "disconnect" }, 1, strict), false);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBusinessData, checkCustomerFields, entryBytes, pageBy } from "./chat.ts";

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

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nestingExceeds, parseUntrustedJson } from "./safe-json.ts";

describe("nestingExceeds", () => {
  it("counts arrays and objects, not brackets inside strings, escaped quotes included", () => {
    assert.equal(nestingExceeds('[{"a":[1]}]', 3), false);
    assert.equal(nestingExceeds('[{"a":[[1]]}]', 3), true);
    assert.equal(nestingExceeds('[[["a\\"[[[[[[["]]]', 3), false, "an escaped quote does not end the string");
    assert.equal(nestingExceeds('[[[["a\\\\"]]]]', 3), true, "an escaped backslash does not escape the quote");
    assert.equal(nestingExceeds('["\\\\\\"[[[[[["]', 1), false);
    assert.equal(nestingExceeds('["unterminated [[[[', 1), false);
  });
});

describe("parseUntrustedJson", () => {
  it("parses JSON", () => {
    assert.deepEqual(parseUntrustedJson('{"a":["b"]}', 64), { ok: true, value: { a: ["b"] } });
  });

  it("refuses __proto__ however it is spelt, and constructor.prototype", () => {
    for (const text of ['{"__proto__":{"x":1}}', '{"\\u005f_proto__":{"x":1}}', '{"a":{"_\\u005fproto\\u005f_":1}}', '{"constructor":{"prototype":{}}}']) {
      const parsed = parseUntrustedJson(text, 64);
      assert.equal(parsed.ok === false && parsed.kind, "prototype", text);
    }
    assert.equal(parseUntrustedJson('{"constructor":1,"proto":2}', 64).ok, true, "harmless look-alikes pass");
  });

  it("reports depth before parsing, and syntax errors with V8's message", () => {
    const deep = parseUntrustedJson(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, 64);
    assert.equal(deep.ok === false && deep.kind, "depth");
    const bad = parseUntrustedJson("{nope}", 64);
    assert.ok(bad.ok === false && bad.kind === "syntax" && /Expected/.test(bad.error.message));
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TranscriptEntry } from "../domain/chat.ts";
import { plainTranscript, xmlTranscript } from "./chat-history.ts";

const entry = (position: number, text: string, nick = "Vasya"): TranscriptEntry => ({
  position,
  type: "Message.Text",
  nick,
  text,
  at: 1000 * position,
  userType: "CLIENT",
});

describe("history text", () => {
  it("XML escapes markup in text and attributes, keeps quotes in text, and drops what XML cannot carry", () => {
    const xml = xmlTranscript([entry(1, '<b>"fish" & chips</b>\u0001', 'Va"sya')], { interactionId: "IX", startedAt: 0 });
    assert.match(xml, /nick="Va&quot;sya"/);
    assert.match(xml, />&lt;b&gt;"fish" &amp; chips&lt;\/b&gt;<\/entry>/);
    assert.equal(xml.includes("\u0001"), false);
  });

  it("a transcript of quotes is about its own size as XML, not six times it", () => {
    const text = '"'.repeat(8192);
    const xml = xmlTranscript([entry(1, text)], { interactionId: "IX", startedAt: 0 });
    assert.ok(xml.length < text.length + 512);
  });

  it("plain text: one line per entry, seconds from the start", () => {
    assert.equal(plainTranscript([entry(1, "hi"), entry(3, "bye")], 0), "[1s] Vasya: hi\n[3s] Vasya: bye");
  });
});

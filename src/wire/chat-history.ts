/**
 * A chat's transcript as contact history keeps it (seed 002 content): `plain_text`, one line per
 * entry, and `structured_text`, XML. Built when the chat's interaction completes.
 */
import type { TranscriptEntry } from "../domain/chat.ts";
import { xmlAttribute, xmlText } from "../domain/xml.ts";
import { wireEntry } from "./chat-v1.ts";

/** The transcript as contact history's `plain_text`: one line per entry. */
export function plainTranscript(entries: readonly TranscriptEntry[], startedAt: number): string {
  return entries
    .map((e) => {
      const [, nick, text, seconds, userType] = wireEntry(e, startedAt);
      return e.type === "Message.Text" ? `[${seconds}s] ${nick}: ${text}` : `[${seconds}s] ${nick} (${userType}) ${text}`;
    })
    .join("\n");
}

/** The transcript as contact history's `structured_text` (`text/xml`). */
export function xmlTranscript(entries: readonly TranscriptEntry[], chat: { interactionId: string; startedAt: number }): string {
  const lines = entries.map((e) => {
    const seconds = Math.max(0, Math.floor((e.at - chat.startedAt) / 1000));
    const attrs = `position="${e.position}" type="${xmlAttribute(e.type)}" nick="${xmlAttribute(e.nick)}" userType="${e.userType}" timeShift="${seconds}"`;
    return `  <entry ${attrs}>${xmlText(e.text)}</entry>`;
  });
  const start = new Date(chat.startedAt).toISOString();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<chatTranscript sessionId="${xmlAttribute(chat.interactionId)}" startAt="${start}">\n${lines.join("\n")}\n</chatTranscript>`;
}

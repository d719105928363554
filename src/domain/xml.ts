/**
 * XML 1.0 escaping in one pass: `&`, `<` and `>` in text, and `"` too in attributes; characters
 * XML cannot carry at all are dropped. Text content leaves quotes as they are, so a message of
 * quotes is not stored six times its size. A chat's history is XML, and its transcript is
 * measured as the XML keeps it (domain/chat.ts `entryBytes`), so both use these.
 */
const ESCAPED: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const TEXT_SPECIALS = /[&<>]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ATTRIBUTE_SPECIALS = /[&<>"]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content of an element. */
export function xmlText(text: string): string {
  return text.replace(TEXT_SPECIALS, (c) => ESCAPED[c] ?? "");
}

/** An attribute value (in double quotes). */
export function xmlAttribute(text: string): string {
  return text.replace(ATTRIBUTE_SPECIALS, (c) => ESCAPED[c] ?? "");
}

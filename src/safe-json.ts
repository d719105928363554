/**
 * Parsing JSON a client sent, for REST bodies and CometD batches alike; the only importer of
 * secure-json-parse. Two things JSON.parse lets through are refused:
 * - nesting deeper than a limit, checked on the text before parsing, so a deep document never
 *   reaches a recursive parser, validator or serialiser (where it would overflow the stack);
 * - `__proto__` keys (also spelt with escapes, `"\u005f_proto__"`) and `constructor.prototype`,
 *   which would turn an object spread or assignment into a prototype write.
 */
import secureJson from "secure-json-parse";

export type ParsedJson =
  | { ok: true; value: unknown }
  /** Not JSON: `error` is the SyntaxError, whose message locates the problem. */
  | { ok: false; kind: "syntax"; error: Error }
  | { ok: false; kind: "depth" | "prototype"; message: string };

export function parseUntrustedJson(text: string, maxDepth: number): ParsedJson {
  if (nestingExceeds(text, maxDepth)) {
    return { ok: false, kind: "depth", message: `nested deeper than ${maxDepth} levels` };
  }
  try {
    return { ok: true, value: secureJson.parse(text, null, { protoAction: "error", constructorAction: "error" }) };
  } catch (err) {
    const error = err instanceof Error ? err : new SyntaxError(String(err));
    if (/forbidden (prototype|constructor) property/.test(error.message)) {
      return { ok: false, kind: "prototype", message: "__proto__ and constructor.prototype are not allowed keys" };
    }
    return { ok: false, kind: "syntax", error };
  }
}

/** Whether arrays and objects nest deeper than `max` anywhere in `text` (strings skipped). One pass. */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

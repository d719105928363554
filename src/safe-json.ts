/**
 * Parsing JSON a client sent, for REST bodies and CometD batches alike; the only importer of
 * secure-json-parse. Two things JSON.parse lets through are refused:
 * - nesting deeper than a limit, checked on the text before parsing, so a deep document never
 *   reaches a recursive parser, validator or serialiser (where it would overflow the stack);
 * - `__proto__` keys (also spelt with escapes, `"\u005f_proto__"`) and `constructor.prototype`,
 *   which would turn an object spread or assignment into a prototype write;
 * - strings that are not Unicode: a lone surrogate (`"\ud800"`) is valid JSON, but no URL,
 *   header or database text can carry it (encodeURIComponent throws on it).
 */
import secureJson from "secure-json-parse";

export type ParsedJson =
  | { ok: true; value: unknown }
  /** Not JSON: `error` is the SyntaxError, whose message locates the problem. */
  | { ok: false; kind: "syntax"; error: Error }
  | { ok: false; kind: "depth" | "prototype" | "unicode"; message: string };

export function parseUntrustedJson(text: string, maxDepth: number): ParsedJson {
  if (nestingExceeds(text, maxDepth)) {
    return { ok: false, kind: "depth", message: `nested deeper than ${maxDepth} levels` };
  }
  try {
    const value: unknown = mayHoldPrototypeKey(text) ? secureJson.parse(text, null, OPTIONS) : JSON.parse(text);
    // Decoded text holds no surrogates of its own: only a \uD8xx-\uDFxx escape can make one.
    if (SURROGATE_ESCAPE.test(text) && !wellFormed(value)) {
      return { ok: false, kind: "unicode", message: "a string holds a lone UTF-16 surrogate (not Unicode text)" };
    }
    return { ok: true, value };
  } catch (err) {
    const error = err instanceof Error ? err : new SyntaxError(String(err));
    if (/forbidden (prototype|constructor) property/.test(error.message)) {
      return { ok: false, kind: "prototype", message: "__proto__ and constructor.prototype are not allowed keys" };
    }
    return { ok: false, kind: "syntax", error };
  }
}

const OPTIONS = { protoAction: "error", constructorAction: "error" } as const;

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/** In a `u` regex a pair is one code point: only a lone surrogate is in category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Every string (keys included) is well-formed Unicode; pairs escaped as two \u escapes are. */
function wellFormed(value: unknown): boolean {
  if (typeof value === "string") return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(wellFormed);
  if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) if (LONE_SURROGATE.test(key) || !wellFormed(v)) return false;
  }
  return true;
}

/**
 * JSON can spell `__proto__` or `constructor` only with those letters or with `\u` escapes: a
 * text with neither cannot hold one, and skips the slower scan.
 */
function mayHoldPrototypeKey(text: string): boolean {
  return text.includes("\\u") || text.includes("proto") || text.includes("constructor");
}

/** Whether arrays and objects nest deeper than `max` anywhere in `text` (strings skipped). One pass. */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = endOfString(text, i);
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The index of the quote closing the string opened at `open` (or the end of the text). */
function endOfString(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote > 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

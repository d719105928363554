/**
 * Request body parsing. JSON (and `+json` types, and a body sent with no content type, as curl
 * users do) is parsed with messages that point at the problem; other types get 415. Nesting
 * depth and prototype keys are refused at parse time (safe-json.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../domain/errors.ts";
import { parseUntrustedJson } from "../safe-json.ts";

type Done = (err: Error | null, body?: unknown) => void;

export function registerBodyParsers(app: FastifyInstance, maxDepth: number): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  for (const type of ["application/json", /^application\/[\w.+-]+\+json$/]) {
    app.addContentTypeParser(type, { parseAs: "string" }, (_req, body, done) => parseJson(String(body), maxDepth, done));
  }
  app.addContentTypeParser("*", { parseAs: "string" }, (req: FastifyRequest, body, done) => {
    const type = req.headers["content-type"];
    if (type === undefined || type.trim() === "") return parseJson(String(body), maxDepth, done);
    done(new AppError("unsupported_media_type", `unsupported content type '${type}': send application/json`));
  });
}

function parseJson(text: string, maxDepth: number, done: Done): void {
  if (text.trim() === "") {
    done(null, undefined);
    return;
  }
  const parsed = parseUntrustedJson(text, maxDepth);
  if (parsed.ok) done(null, parsed.value);
  else done(new AppError("malformed_body", `malformed JSON body: ${parsed.kind === "syntax" ? describeSyntaxError(text, parsed.error) : parsed.message}`));
}

/**
 * V8 names either a character offset or a snippet around the bad token; people read lines and
 * columns, so both are turned into one.
 */
function describeSyntaxError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const offset = errorOffset(text, message);
  const short = message.replace(/, (?:\.\.\.)?"[\s\S]* is not valid JSON$/, "").replace(/ in JSON at position \d+.*$/, "");
  if (offset === undefined) return short;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${short} at line ${line}, column ${column}`;
}

function errorOffset(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return Number(position);
  // `Unexpected token 'c', ..."ask_type":customer i"... is not valid JSON`
  const token = /Unexpected token '(.)'/.exec(message)?.[1];
  const snippet = /, (?:\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(message)?.[1];
  if (token === undefined || snippet === undefined) return undefined;
  const at = text.indexOf(snippet);
  if (at < 0) return undefined;
  const offset = text.indexOf(token, at);
  return offset < 0 ? undefined : offset;
}

/**
 * Chat API parameters, read as leniently as real clients send them (spec decision 4): the query
 * string, and a body that is form-urlencoded, multipart, JSON, or JSON labelled as a form. These
 * parsers are registered on the chat routes only. Every value becomes a string; the body wins
 * over the query. busboy's only importer.
 */
import busboy from "busboy";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../domain/errors.ts";
import { parseUntrustedJson } from "../../safe-json.ts";

/** Most parameters one request may carry. */
const MAX_PARAMS = 300;
/** Longest parameter name. */
const MAX_KEY = 256;

type Done = (err: Error | null, body?: unknown) => void;

/** A parsed form: its fields in order (a JSON array body is something else, and refused). */
class FormFields extends Array<[string, string]> {}
type Params = Record<string, string>;

export function registerChatBodyParsers(app: FastifyInstance, maxDepth: number): void {
  const form = (_req: FastifyRequest, body: string | Buffer, done: Done) => parseFormOrJson(String(body), maxDepth, done);
  app.addContentTypeParser(["application/x-www-form-urlencoded", "text/plain"], { parseAs: "string" }, form);
  app.addContentTypeParser("multipart/form-data", { parseAs: "buffer" }, (req, body, done) => parseMultipart(req, body as Buffer, done));
}

function malformed(message: string): AppError {
  return new AppError("malformed_body", message);
}

function parseFormOrJson(text: string, maxDepth: number, done: Done): void {
  const trimmed = text.trim();
  if (trimmed === "") {
    done(null, {});
    return;
  }
  // Real clients send JSON.stringify(data) labelled as a form.
  if (trimmed.startsWith("{")) {
    const parsed = parseUntrustedJson(trimmed, maxDepth);
    if (parsed.ok) done(null, parsed.value);
    else done(malformed(`malformed JSON body: ${parsed.kind === "syntax" ? "not JSON" : parsed.message}`));
    return;
  }
  const params = new FormFields();
  for (const [key, value] of new URLSearchParams(trimmed)) {
    if (params.length >= MAX_PARAMS) {
      done(new AppError("invalid_input", `at most ${MAX_PARAMS} parameters`));
      return;
    }
    params.push([key, value]);
  }
  done(null, params);
}

function parseMultipart(req: FastifyRequest, body: Buffer, done: Done): void {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fields: MAX_PARAMS, fieldNameSize: MAX_KEY, files: 0, parts: MAX_PARAMS + 1 } });
  } catch (err) {
    done(malformed(`malformed multipart body: ${(err as Error).message}`));
    return;
  }
  const params = new FormFields();
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    done(malformed(message));
  };
  // busboy hands over a part whose Content-Disposition has no usable `name` (none, empty, or
  // only the RFC 5987 `name*` form) with an undefined name: a parameter needs one.
  parser.on("field", (name: string | undefined, value, info) => {
    if (name === undefined) fail('multipart part without a name: each part needs Content-Disposition: form-data; name="..."');
    else if (info.nameTruncated || info.valueTruncated) fail(`multipart field ${name.slice(0, 64)}: too long`);
    else params.push([name, value]);
  });
  // Files are no parameters: read past them.
  parser.on("file", (_name, stream) => stream.resume());
  parser.on("fieldsLimit", () => fail(`at most ${MAX_PARAMS} parameters`));
  parser.on("partsLimit", () => fail(`at most ${MAX_PARAMS} parameters`));
  parser.on("error", (err: Error) => fail(`malformed multipart body: ${err.message}`));
  parser.on("close", () => {
    if (!failed) done(null, params);
  });
  parser.end(body);
}

/** Query and body, merged into string parameters; a body value wins over the query's. */
export function chatParams(query: unknown, body: unknown): Params {
  const params: Params = Object.create(null) as Params;
  let count = 0;
  const put = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (key === "__proto__" || key.length === 0 || key.length > MAX_KEY)
      throw new AppError("invalid_input", `parameter name ${JSON.stringify(key.slice(0, 64))} is not allowed`);
    if (!(key in params) && ++count > MAX_PARAMS) throw new AppError("invalid_input", `at most ${MAX_PARAMS} parameters`);
    params[key] = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  };
  if (typeof query === "object" && query !== null) {
    for (const [key, value] of Object.entries(query as Record<string, unknown>)) put(key, Array.isArray(value) ? value[0] : value);
  }
  if (body instanceof FormFields) {
    for (const [key, value] of body) put(key, value);
  } else if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) put(key, value);
  } else if (body !== undefined && body !== null && body !== "") {
    throw new AppError("invalid_input", "the body must be a form or a JSON object");
  }
  // A plain object again, so callers may spread and index it as usual.
  return { ...params };
}

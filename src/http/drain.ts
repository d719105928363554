/**
 * A body refused half-way (413) is still being sent. If the server answered and closed at once,
 * the client, still writing, would see a reset connection instead of the answer: the rest is
 * read and discarded first, up to a bound in bytes and time, then the 413 goes out.
 */
import type { IncomingMessage } from "node:http";

/** A refused body is read to its end when it is at most this long (or 4 x BODY_LIMIT_BYTES). */
const DRAIN_MIN_BYTES = 8 * 1024 * 1024;

export function drainRefusedBody(req: IncomingMessage, limits: { bodyLimitBytes: number; httpRequestTimeoutMs: number }): Promise<void> {
  return drainRequest(req, Math.max(4 * limits.bodyLimitBytes, DRAIN_MIN_BYTES), limits.httpRequestTimeoutMs);
}

/** Reads and discards the rest of a request body, up to `maxBytes` and `maxMs`. */
function drainRequest(req: IncomingMessage, maxBytes: number, maxMs: number): Promise<void> {
  const declared = Number(req.headers["content-length"]);
  if (req.complete || req.destroyed || declared > maxBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", done);
      req.off("close", done);
      req.off("error", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    req.on("data", onData);
    req.once("end", done);
    req.once("close", done);
    req.once("error", done);
    req.resume();
  });
}

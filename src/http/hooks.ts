/**
 * What every request of the main listener passes through, whatever its surface: errors in the
 * GMS body (the router's too), the 404, the last guard on response size, and the timing of each
 * response by its route. A surface with a body of its own (the agent API) sets its own error
 * and 404 handlers inside its prefix.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from "fastify";
import { responseTooLarge } from "../domain/errors.ts";
import { closeAfterAnswer } from "../lingering-close.ts";
import type { Metrics } from "../metrics.ts";
import { toGmsError } from "./errors.ts";

/** Replies to anything thrown while serving a request (fastify's `frameworkErrors` too). */
export type ErrorReplier = (err: unknown, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export interface HookOptions {
  /** The listener's error reply (gmsErrorReplier), also given to fastify for its router's errors. */
  sendError: ErrorReplier;
  /** RESPONSE_LIMIT_BYTES: a larger response is replaced by a 413. */
  responseLimitBytes: number;
  /** Where each response's duration goes, by method, route pattern and status. */
  httpDuration: Metrics["httpDuration"];
}

/** The GMS error body for anything thrown; `lingerMs` (HTTP_LINGER_MS): how long the rest of a body refused with 413 is read. */
export function gmsErrorReplier(lingerMs: number): ErrorReplier {
  return async (err, request, reply) => {
    const error = toGmsError(err);
    if (error.serverFault) request.log.error({ err }, "request failed");
    // A client that went away mid-upload is not news: no stack, not an error.
    else request.log.debug({ code: (err as { code?: unknown }).code, message: error.body.message }, "request refused");
    // A body refused half-way is still being sent: answer, then read and discard the rest for a
    // while, so the client gets the 413 instead of a reset connection.
    if (error.status === 413) closeAfterAnswer(request.raw, reply.raw, lingerMs);
    if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
    return reply.code(error.status).send(error.body);
  };
}

/** Installs the error handler, the 404, the response size guard and the timing hooks; call before any route. */
export function registerHooks(app: FastifyInstance, options: HookOptions): void {
  const { sendError, responseLimitBytes, httpDuration } = options;
  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  // The last guard on response size, whatever built the body (lists check before loading).
  // A callback hook, and a byte count only when the length could exceed the limit: every response passes here.
  app.addHook("onSend", (request, reply, payload, done) => {
    const length = typeof payload === "string" || Buffer.isBuffer(payload) ? payload.length : 0;
    const mayExceed = typeof payload === "string" ? length * 3 > responseLimitBytes : length > responseLimitBytes;
    if (!mayExceed || Buffer.byteLength(payload as string | Buffer) <= responseLimitBytes) return done(null, payload);
    request.log.warn({ url: request.url.slice(0, 256), size: length }, "response refused: over RESPONSE_LIMIT_BYTES");
    reply.code(413).header("content-type", "application/json; charset=utf-8");
    done(null, JSON.stringify(toGmsError(responseTooLarge(responseLimitBytes)).body));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No such resource: ${request.method} ${request.url.slice(0, 256)}`, exception: "NotFoundException" }),
  );
  // Each route times its responses with its own pattern at hand: `request.routeOptions` would
  // build a dozen-key object on every request just to read it. Unmatched paths share one label.
  const recordResponse = (request: FastifyRequest, reply: FastifyReply, route: string) => {
    httpDuration.series(request.method, route, reply.statusCode)(reply.elapsedTime / 1000);
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, "request");
  };
  app.addHook("onRoute", (route) => {
    const recordRoute: onResponseHookHandler = (request, reply, done) => {
      recordResponse(request, reply, route.url);
      done();
    };
    route.onResponse = [...(route.onResponse === undefined ? [] : [route.onResponse].flat()), recordRoute];
  });
  app.addHook("onResponse", (request, reply, done) => {
    if (request.is404) recordResponse(request, reply, "unmatched");
    done();
  });
}

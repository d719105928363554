/**
 * The one error type of parley's domain and actions. Each error carries a stable code; transports
 * translate codes into their own forms (HTTP status and `{message, exception}` for GMS, Bayeux
 * error strings for CometD). Nothing here knows about HTTP.
 */

export type ErrorCode =
  /** A field or parameter the client sent is missing, of the wrong type or out of range. */
  | "invalid_input"
  /** The body could not be parsed at all (not JSON). */
  | "malformed_body"
  /** The resource named in the URL does not exist (or the caller may not see it). */
  | "not_found"
  /** The operation is not allowed in the resource's current state (e.g. completing twice). */
  | "invalid_state"
  | "payload_too_large"
  /** A path parameter is longer than any the API takes. */
  | "uri_too_long"
  | "unsupported_media_type"
  /** No credentials, or wrong ones (which part is wrong is never said). */
  | "unauthenticated"
  | "forbidden"
  /** Too many requests of this kind from this client (address or identity) for now: retry later. */
  | "rate_limited"
  /** The server cannot serve it now (no agent yet, a queue is full); nothing the client did wrong. */
  | "unavailable"
  | "internal";

export class AppError extends Error {
  readonly code: ErrorCode;
  /** When the client may try again, seconds (HTTP `Retry-After`); for rates and full queues. */
  readonly retryAfterSeconds: number | undefined;
  /** The number an API that numbers its errors gives this one (Chat API v2: 161, 204, 240, ...). */
  readonly apiCode: number | undefined;
  /** What such an API adds to help (Chat API v2's `advice`: the limit a file broke). */
  readonly apiAdvice: string | undefined;
  constructor(code: ErrorCode, message: string, options: { retryAfterSeconds?: number; apiCode?: number; apiAdvice?: string } = {}) {
    // An AppError is an answer to a client, never logged with a stack: capturing one is most of
    // what a refusal costs (a flood of refused requests spent 3% of the server's CPU on it).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = "AppError";
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.apiCode = options.apiCode;
    this.apiAdvice = options.apiAdvice;
  }
}

export const invalidInput = (message: string) => new AppError("invalid_input", message);
export const notFound = (message: string) => new AppError("not_found", message);
export const invalidState = (message: string) => new AppError("invalid_state", message);
export const forbidden = (message: string) => new AppError("forbidden", message);

/** The server cannot serve it now; with `retryAfterMs`, when to try again (a full queue). */
export const unavailable = (message: string, retryAfterMs?: number) =>
  new AppError("unavailable", message, retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });

/** A rate or count limit refused the request; `retryAfterMs` until it would pass (at least a second). */
export const rateLimited = (message: string, retryAfterMs: number) =>
  new AppError("rate_limited", message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });

/** A response would exceed RESPONSE_LIMIT_BYTES: the client should ask for less. */
export const responseTooLarge = (limit: number) =>
  new AppError("payload_too_large", `the response would be larger than ${limit} bytes: ask for fewer services (max_services) or fewer extensions`);

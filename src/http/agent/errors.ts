/**
 * Error codes to HTTP for the agent API (`/api/v2`, GWS): `{status: "error", errorDescription,
 * statusCode, statusMessage}` with GWS's codes (spec decision 3): the seed's keys and the GA
 * keys real clients require, side by side.
 */
import type { ErrorCode } from "../../domain/errors.ts";
import { toAppError } from "../errors.ts";

interface GwsForm {
  status: number;
  statusCode: number;
}

const FORMS: Record<ErrorCode, GwsForm> = {
  invalid_input: { status: 400, statusCode: 1 },
  malformed_body: { status: 400, statusCode: 1 },
  not_found: { status: 404, statusCode: 6 },
  invalid_state: { status: 409, statusCode: 2 },
  payload_too_large: { status: 413, statusCode: 1 },
  uri_too_long: { status: 414, statusCode: 1 },
  unsupported_media_type: { status: 415, statusCode: 1 },
  unauthenticated: { status: 401, statusCode: 20 },
  forbidden: { status: 403, statusCode: 5 },
  // GWS has no code of its own for "too many": 4 is its "cannot serve this now".
  rate_limited: { status: 429, statusCode: 4 },
  unavailable: { status: 503, statusCode: 4 },
  internal: { status: 500, statusCode: 4 },
};

export interface GwsErrorReply {
  status: number;
  body: { status: "error"; errorDescription: string; statusCode: number; statusMessage: string };
  /** A 500: logged with its stack. Refusals, 503s included, are expected and logged at debug. */
  serverFault: boolean;
  /** The `Retry-After` header, seconds, for rates and full queues. */
  retryAfterSeconds: number | undefined;
}

/** Anything thrown while serving an agent API request, as the client gets it. */
export function toGwsError(err: unknown): GwsErrorReply {
  const error = toAppError(err);
  const form = FORMS[error.code];
  return {
    status: form.status,
    body: { status: "error", errorDescription: error.message, statusCode: form.statusCode, statusMessage: error.message },
    serverFault: error.code === "internal",
    retryAfterSeconds: error.retryAfterSeconds,
  };
}

/** The success body every agent API answer starts from. */
export function ok<T extends object>(extra?: T): { status: "ok"; statusCode: 0 } & T {
  return { status: "ok", statusCode: 0, ...(extra as T) };
}

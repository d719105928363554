/**
 * Error codes to HTTP, for the GMS surfaces (`/genesys/...`): a 4xx/5xx status and the body
 * GMS clients parse, `{"message": "...", "exception": "<Kind>Exception"}`. Never a stack trace.
 */
import { AppError, type ErrorCode } from "../domain/errors.ts";

interface HttpForm {
  status: number;
  exception: string;
}

const FORMS: Record<ErrorCode, HttpForm> = {
  invalid_input: { status: 400, exception: "BadRequestException" },
  malformed_body: { status: 400, exception: "BadRequestException" },
  not_found: { status: 404, exception: "NotFoundException" },
  invalid_state: { status: 400, exception: "InvalidStateException" },
  payload_too_large: { status: 413, exception: "PayloadTooLargeException" },
  uri_too_long: { status: 414, exception: "UriTooLongException" },
  unsupported_media_type: { status: 415, exception: "UnsupportedMediaTypeException" },
  unauthenticated: { status: 401, exception: "UnauthorizedException" },
  forbidden: { status: 403, exception: "ForbiddenException" },
  rate_limited: { status: 429, exception: "TooManyRequestsException" },
  unavailable: { status: 503, exception: "ServiceUnavailableException" },
  internal: { status: 500, exception: "InternalServerErrorException" },
};

/** Fastify's own errors (raised before a handler runs) that a client caused. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_input",
  FST_ERR_CTP_EMPTY_JSON_BODY: "malformed_body",
  FST_ERR_CTP_INVALID_JSON_BODY: "malformed_body",
  FST_ERR_MAX_PARAM_LENGTH: "uri_too_long",
  FST_ERR_BAD_URL: "invalid_input",
};

export interface GmsErrorReply {
  status: number;
  body: { message: string; exception: string };
  /** True when the server is at fault (a 500): log it with its stack. Refusals, 503s included, are expected. */
  serverFault: boolean;
  /** The `Retry-After` header, seconds, for rates and full queues. */
  retryAfterSeconds: number | undefined;
}

/** Translates anything thrown while serving a request into the reply a client gets. */
export function toGmsError(err: unknown): GmsErrorReply {
  const app = toAppError(err);
  const form = FORMS[app.code];
  return {
    status: form.status,
    body: { message: app.message, exception: form.exception },
    serverFault: app.code === "internal",
    retryAfterSeconds: app.retryAfterSeconds,
  };
}

/** Anything thrown while serving a request, as an AppError (framework errors a client caused included). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  const mapped = typeof e?.code === "string" ? FRAMEWORK_CODES[e.code] : undefined;
  if (mapped !== undefined) return new AppError(mapped, String(e?.message ?? mapped));
  // Any other 4xx fastify raises is about the request; its messages carry no internals.
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError("invalid_input", String(e.message ?? "bad request"));
  }
  return new AppError("internal", "Internal server error");
}

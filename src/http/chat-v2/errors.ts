/**
 * Errors under `/<app>/2/` as Chat API v2 clients read them (spec §5, §12 Q2, Q3): the v2
 * envelope with `statusCode`, `chatEnded` and `errors[]`, never v1's `{message, exception}`.
 * Validation is HTTP 400; an unknown chat or a key that is not its own is HTTP 200 with
 * `statusCode` 2 and `chatEnded` true, the only answer that ends a chat in Widgets; a passing
 * fault is `statusCode` 1 (retry).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppError, ErrorCode } from "../../domain/errors.ts";
import { closeAfterAnswer } from "../../lingering-close.ts";
import { errorEnvelope, type Envelope } from "../../wire/chat-v2.ts";
import { toAppError } from "../errors.ts";

interface V2Form {
  status: number;
  statusCode: 1 | 2;
  chatEnded: boolean;
  /** The error code when the error carries none of its own. */
  code: number;
}

const FORMS: Record<ErrorCode, V2Form> = {
  invalid_input: { status: 400, statusCode: 2, chatEnded: false, code: 400 },
  malformed_body: { status: 400, statusCode: 2, chatEnded: false, code: 400 },
  uri_too_long: { status: 400, statusCode: 2, chatEnded: false, code: 400 },
  unsupported_media_type: { status: 400, statusCode: 2, chatEnded: false, code: 400 },
  payload_too_large: { status: 413, statusCode: 2, chatEnded: false, code: 413 },
  not_found: { status: 200, statusCode: 2, chatEnded: true, code: 404 },
  // Credentials (CHAT_V2_API_KEYS) are an HTTP 401; a key that is not the chat's ends the chat.
  unauthenticated: { status: 401, statusCode: 2, chatEnded: false, code: 401 },
  forbidden: { status: 200, statusCode: 2, chatEnded: true, code: 401 },
  invalid_state: { status: 200, statusCode: 2, chatEnded: false, code: 400 },
  rate_limited: { status: 429, statusCode: 1, chatEnded: false, code: 429 },
  unavailable: { status: 200, statusCode: 1, chatEnded: false, code: 503 },
  internal: { status: 200, statusCode: 1, chatEnded: false, code: 500 },
};

export interface V2ErrorReply {
  status: number;
  body: Envelope;
  serverFault: boolean;
  retryAfterSeconds: number | undefined;
}

/** Anything thrown while serving a v2 request, as the reply a v2 client gets. */
export function toV2Error(err: unknown): V2ErrorReply {
  const app: AppError = toAppError(err);
  // A chat that cannot start (240) is a 400 whatever the reason: Widgets shows its text on the form.
  const form = app.apiCode === 240 ? FORMS.invalid_input : FORMS[app.code];
  return {
    status: form.status,
    body: errorEnvelope(
      { code: app.apiCode ?? form.code, message: app.message, ...(app.apiAdvice === undefined ? {} : { advice: app.apiAdvice }) },
      { statusCode: form.statusCode, chatEnded: form.chatEnded },
    ),
    serverFault: app.code === "internal",
    retryAfterSeconds: app.retryAfterSeconds,
  };
}

/** The error handler of the v2 routes (and of router errors under them). */
export function chatV2ErrorReplier(lingerMs: number) {
  return async (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = toV2Error(err);
    // iOS cannot read an answer without `chatId`: the chat the path names is echoed.
    const chatId = (request.params as { chatId?: unknown } | undefined)?.chatId;
    if (typeof chatId === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(chatId) && error.body.chatId === undefined) error.body.chatId = chatId;
    if (error.serverFault) request.log.error({ err }, "request failed");
    else request.log.debug({ code: (err as { code?: unknown }).code, message: error.body.errors?.[0]?.message }, "request refused");
    if (error.status === 413) closeAfterAnswer(request.raw, reply.raw, lingerMs);
    if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
    return reply.code(error.status).send(error.body);
  };
}

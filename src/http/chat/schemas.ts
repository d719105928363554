/**
 * The Chat API v1's path schemas, with their limits named once. Its parameters are read
 * leniently (params.ts) and typed in requests.ts; only the path is checked by schema, and the
 * one parameter parley adds (`clientMessageId`) where it comes in a JSON body.
 */
import { CLIENT_MESSAGE_ID } from "../../domain/chat-input.ts";

const LIMITS = {
  /** A service id (a UUID) or a service name in the path. */
  serviceId: 255,
  /** The operation segment of `ixn/chat/<operation>`. */
  operation: 64,
} as const;

const id = { type: "string", minLength: 1, maxLength: LIMITS.serviceId } as const;

/** `/:id/...`: a service, or a service name when one is created. */
export const ServiceParams = { type: "object", properties: { id }, required: ["id"] } as const;

/** `/:id/ixn/chat/:op`. */
export const OperationParams = {
  type: "object",
  properties: { id, op: { type: "string", maxLength: LIMITS.operation } },
  required: ["id", "op"],
} as const;

/**
 * `clientMessageId` (a parley extension, issue 20), shared with the Chat API v2's routes. The body
 * schema has no `type`: forms and multipart bodies (parsed as field lists) pass it untouched, and
 * requests.ts checks the id wherever it came from (query, form, JSON) with the same rule.
 */
export function clientMessageIdBody(what: string) {
  return {
    description: "Parameters as a form, multipart or JSON (or in the query string); parley's own: clientMessageId",
    properties: {
      clientMessageId: {
        type: "string",
        ...CLIENT_MESSAGE_ID,
        description: `${what}: the client's id for its message, unique per chat; a retry with it adds nothing and answers as the first did, naming the same entry. Empty or absent: none (as GMS)`,
      },
    },
  } as const;
}

/** `ixn/chat/<operation>`'s parameters as far as a schema checks them. */
export const OperationBody = clientMessageIdBody("send and refresh (with a message)");

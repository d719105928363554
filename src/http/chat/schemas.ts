/**
 * The Chat API v1's path schemas, with their limits named once. Its parameters are read
 * leniently (params.ts) and typed in requests.ts; only the path is checked by schema.
 */

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

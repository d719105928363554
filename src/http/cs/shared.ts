/** Helpers shared by the Context Services route modules. */
import type { FastifyRequest } from "fastify";
import type { ActionContext } from "../../actions/context.ts";
import type { JsonObject } from "../../domain/json.ts";
import { parseTimestamp } from "../../domain/journeys.ts";

export interface RouteDeps {
  ctx: ActionContext;
  /** `/genesys/1/cs`: where Context Services live. */
  csBase: string;
  /** PUBLIC_URL: where clients reach parley; null: the request's own scheme and host. */
  publicUrl: string | null;
}

/** Bodies reach handlers validated as objects; an empty body is an empty object. */
export function bodyObject(request: FastifyRequest): JsonObject {
  return (request.body ?? {}) as JsonObject;
}

/** Epoch milliseconds of an ISO query parameter (already pattern-checked by the schema). */
export function timeParam(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseTimestamp(value);
}

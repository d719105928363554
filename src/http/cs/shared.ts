/** Helpers shared by the GMS route modules. */
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

/** A Host header that is a host name or address with an optional port, and nothing else. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The URL of a path under this server, for `Location`: under PUBLIC_URL when set; else as the
 * client reached it, when its Host header is a plain host; else the path alone (a relative
 * reference, which RFC 9110 allows), so a forged Host never shapes the URL.
 */
export function absoluteUrl(request: FastifyRequest, publicUrl: string | null, path: string): string {
  if (publicUrl !== null) return `${publicUrl}${path}`;
  return PLAIN_HOST.test(request.host) ? `${request.protocol}://${request.host}${path}` : path;
}

/** Bodies reach handlers validated as objects; an empty body is an empty object. */
export function bodyObject(request: FastifyRequest): JsonObject {
  return (request.body ?? {}) as JsonObject;
}

/** Epoch milliseconds of an ISO query parameter (already pattern-checked by the schema). */
export function timeParam(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseTimestamp(value);
}

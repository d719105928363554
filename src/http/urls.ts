/** URLs of this server's own resources, as every REST surface writes them (`Location`, GWS `uri`). */
import type { FastifyRequest } from "fastify";

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

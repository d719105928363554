/**
 * CORS for the APIs a page on another site uses from a browser: the Chat API and the customer
 * CometD endpoint (`/<app>/...`), and the agent API with its CometD (`/api/v2/...`). Only the
 * origins of CORS_ORIGINS get the headers, credentials included; a preflight from one of them
 * is answered here, before any route (the CometD handler included). Other origins get no CORS
 * header, so their browsers keep the answer from the page.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface CorsPolicy {
  /** Normalised origins (`scheme://host[:port]`), CORS_ORIGINS. */
  origins: readonly string[];
  /** Path prefixes CORS applies to, each ending in `/`. */
  prefixes: readonly string[];
}

/** What real clients send besides the CORS-safe headers (GMS: `gms_user`, its proof, Chat API v2 keys; GWS: Basic credentials). */
const ALLOWED_HEADERS = "apikey, authorization, content-type, gms_user, gms_user_token, x-api-key, x-requested-with";
const ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
/** What a page may read of an answer besides the CORS-safe headers. */
const EXPOSED_HEADERS = "location, retry-after";
/** How long a browser may reuse a preflight's answer, seconds. */
const PREFLIGHT_MAX_AGE = "600";

/**
 * Adds the CORS headers a request from a listed origin gets; answers its preflight (204) and
 * returns true then, the request being handled. False: the request goes on to its route.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): boolean {
  if (policy.origins.length === 0) return false;
  const origin = req.headers.origin;
  if (origin === undefined || !policy.origins.includes(origin.toLowerCase())) return false;
  const path = req.url ?? "";
  if (!policy.prefixes.some((prefix) => path.startsWith(prefix))) return false;
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("access-control-allow-credentials", "true");
  res.setHeader("vary", "Origin");
  if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
    res.writeHead(204, {
      "access-control-allow-methods": ALLOWED_METHODS,
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": PREFLIGHT_MAX_AGE,
      "content-length": "0",
    });
    res.end();
    return true;
  }
  res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
  return false;
}

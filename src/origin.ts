/**
 * Which page a browser request comes from, for requests a cookie authenticates: a browser sends
 * the cookie whoever made the page, so a write must come from parley's own origin or one the
 * configuration trusts. Scripts and server-side clients send neither `Origin` nor
 * `Sec-Fetch-Site` and are not concerned.
 */
import type { IncomingMessage } from "node:http";
import { cameOverHttps, type ProxyTrust } from "./client-address.ts";

/** parley's own origin for this request: PUBLIC_URL's when set, else the request's scheme and `Host`; null when unknowable. */
export function ownOrigin(req: IncomingMessage, trustProxy: ProxyTrust, publicUrl: string | null): string | null {
  if (publicUrl !== null) return normalisedOrigin(publicUrl);
  const host = req.headers.host;
  if (host === undefined || host === "") return null;
  return normalisedOrigin(`${cameOverHttps(req, trustProxy) ? "https" : "http"}://${host}`);
}

/**
 * Whether a request comes from a trusted page: its `Origin` is ours or one of `trusted` (the
 * CORS list, once configured). Without `Origin`, `Sec-Fetch-Site` decides: `same-origin` or
 * `none` (typed by the user) pass; `cross-site`, and `same-site` too (a sibling subdomain is
 * another party, and a `SameSite=Lax` cookie still goes there), do not. Without either header
 * it is no browser's cross-site request (or a browser too old to say, whose `SameSite=Lax`
 * cookie stays home on a cross-site POST).
 */
export function fromTrustedOrigin(headers: IncomingMessage["headers"], own: string | null, trusted: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin !== undefined) {
    const normalised = normalisedOrigin(origin);
    return normalised !== null && (normalised === own || trusted.some((t) => normalisedOrigin(t) === normalised));
  }
  const site = headers["sec-fetch-site"];
  if (site !== undefined) return site === "same-origin" || site === "none";
  return true;
}

/** `scheme://host[:port]` as browsers send it (lower case, no default port); null for `null` or anything unparsable. */
function normalisedOrigin(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

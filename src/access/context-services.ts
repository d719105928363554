/**
 * Who may use Context Services (`/genesys/1/cs`). Open by default, as in GMS (a gateway in
 * front decides). `CS_AUTH=basic` accepts the user:password pairs of `CS_AUTH_USERS`;
 * `CS_AUTH=apikey` accepts an `X-API-Key` header from `CS_API_KEYS`. The one check every
 * Context Services route passes; secrets are compared as SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { CsAuthMode } from "../config.ts";

export interface CsAuthConfig {
  mode: CsAuthMode;
  /** `user:password` pairs (basic). */
  users: readonly string[];
  /** Accepted keys (apikey). */
  apiKeys: readonly string[];
}

/** Whether a request may use Context Services. */
export type CsAuthorizer = (headers: IncomingHttpHeaders) => boolean;

export function contextServicesAuthorizer(config: CsAuthConfig): CsAuthorizer {
  if (config.mode === "none") return () => true;
  if (config.mode === "basic") {
    const accepted = config.users.map(digest);
    return (headers) => {
      const encoded = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(headers.authorization ?? "")?.[1];
      return encoded !== undefined && oneOf(accepted, Buffer.from(encoded, "base64").toString("utf8"));
    };
  }
  const accepted = config.apiKeys.map(digest);
  return (headers) => {
    const key = headers["x-api-key"];
    return typeof key === "string" && key.length <= 1024 && oneOf(accepted, key);
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function oneOf(accepted: readonly Buffer[], candidate: string): boolean {
  const d = digest(candidate);
  // Every entry is compared, so timing tells nothing about which one (or whether any) matched.
  let found = false;
  for (const a of accepted) found = timingSafeEqual(a, d) || found;
  return found;
}

/** Whether `host` (the bind address) only reaches this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/**
 * Who a `gms_user` is. In GMS the name is a claim anyone can make, and that stays the default.
 * With `GMS_USER_SECRET` set, a name counts only with proof from the app's back end: a JWT
 * (HS256/384/512) signed with that secret, whose `sub` is the user and which carries `exp`.
 * The same token may carry a `customer_id` claim: the Context Services profile the app's back
 * end vouches this user is, the only customer identity parley takes as verified.
 * The one place that decides it, used by REST and CometD alike; the only importer of jose.
 */
import { jwtVerify } from "jose";

/** Longest `gms_user` accepted. */
const GMS_USER_MAX = 256;
/** Longest proof token accepted (a JWT with a few claims is a few hundred bytes). */
const TOKEN_MAX = 4096;
const ALGORITHMS = ["HS256", "HS384", "HS512"];

/** A gms_user, whether a token proved it, and the customer profile the token vouches for (null: none). */
export interface GmsIdentity {
  user: string;
  /** False without GMS_USER_SECRET: the name is a claim anyone can make. */
  proven: boolean;
  customerId: string | null;
}

/**
 * Resolves the user a request proves: `claimed` is the gms_user it names (header, query or
 * ext), `token` the proof it carries. Null: no user, or not proven.
 */
export type GmsUserVerifier = (claimed: string | null, token: string | null) => GmsIdentity | null | Promise<GmsIdentity | null>;

/** Longest `customer_id` claim taken (a profile id is far shorter). */
const CUSTOMER_ID_MAX = 256;

export function gmsUserVerifier(secret: string | null): GmsUserVerifier {
  // Without a secret the answer is immediate: no promise on every long-poll.
  if (secret === null) return (claimed) => (isGmsUser(claimed) ? { user: claimed, proven: false, customerId: null } : null);
  const key = new TextEncoder().encode(secret);
  return async (claimed, token) => {
    if (token === null || token.length > TOKEN_MAX) return null;
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ALGORITHMS, requiredClaims: ["sub", "exp"] });
      const user = payload.sub ?? null;
      if (!isGmsUser(user)) return null;
      // A token proves one user: naming another one with it proves nothing.
      if (claimed !== null && claimed !== user) return null;
      const customerId = payload.customer_id;
      return {
        user,
        proven: true,
        customerId: typeof customerId === "string" && customerId.length > 0 && customerId.length <= CUSTOMER_ID_MAX ? customerId : null,
      };
    } catch {
      return null;
    }
  };
}

function isGmsUser(value: string | null): value is string {
  return value !== null && value.length > 0 && value.length <= GMS_USER_MAX;
}

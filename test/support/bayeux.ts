/** A minimal raw Bayeux client over HTTP, for protocol tests that need to send what real clients would not. */
import { call, type Reply } from "./server.ts";

export interface RawBayeux {
  post(body: unknown, headers?: Record<string, string>, path?: string): Promise<Reply>;
  handshake(user: string, extra?: object, headers?: Record<string, string>): Promise<{ clientId: string; reply: Reply }>;
}

export function rawBayeux(base: string): RawBayeux {
  const post = (body: unknown, headers: Record<string, string> = {}, path = "") =>
    call("POST", `${base}${path}`, typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/json", ...headers });
  return {
    post,
    async handshake(user, extra = {}, headers = {}) {
      const reply = await post([{ channel: "/meta/handshake", version: "1.0", id: "1", ...extra }], { gms_user: user, ...headers });
      const clientId = reply.body?.[0]?.clientId;
      if (typeof clientId !== "string") throw new Error(`handshake failed: ${reply.text}`);
      return { clientId, reply };
    },
  };
}

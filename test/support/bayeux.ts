/** A minimal raw Bayeux client over HTTP, for protocol tests that need to send what real clients would not. */
import WebSocket from "ws";
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

export interface WsBayeux {
  ws: WebSocket;
  /** Sends a batch and resolves with the next frame the server sends back. */
  send(messages: object[]): Promise<Record<string, any>[]>;
  /** Resolves with the close code once the server closes the socket. */
  closeCode: Promise<number>;
}

/** A raw Bayeux client over one WebSocket (the `ws` package), for identity and limit tests. */
export async function wsBayeux(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<WsBayeux> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, { headers });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.on("error", () => {});
  const frames: Record<string, any>[][] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as Record<string, any>[]);
    waiters.shift()?.();
  });
  const closeCode = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  return {
    ws,
    closeCode,
    send(messages) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no reply frame within 5 s")), 5000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(frames[frames.length - 1] ?? []);
        });
        ws.send(JSON.stringify(messages));
      });
    },
  };
}

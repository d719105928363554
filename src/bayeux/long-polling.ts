/**
 * The HTTP binding: `long-polling` (POST a JSON batch) and `callback-polling` (JSONP: GET with
 * `message=<json>&jsonp=<callback>`), on the endpoint path and the CometD path suffixes
 * (`/handshake`, `/connect`, ...). It runs on node:http directly, ahead of the REST framework:
 * a long-poll exchange is the hottest path of the server.
 *
 * It sets the BAYEUX_BROWSER cookie on handshakes, so the engine can tell tabs of one browser
 * apart from separate clients; clients that send no cookie are served all the same. The cookie
 * is `Secure` over HTTPS, and `SameSite=None; Secure; Partitioned` when a widget embedded in
 * another site needs it (BAYEUX_COOKIE_CROSS_SITE).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { cameOverHttps, clientAddress, type ProxyTrust } from "../client-address.ts";
import { closeAfterAnswer } from "../lingering-close.ts";
import type { Logger } from "../logger.ts";
import type { Item, RequestContext } from "./context.ts";
import type { BayeuxEngine } from "./engine.ts";
import { isRefused, type EndpointBinding } from "./endpoints.ts";
import { NONE_ADVICE, parseBatch, serializeBatch, type Reply } from "./protocol.ts";

export interface HttpLimits {
  /** Largest request body (or `message` parameter), bytes. */
  maxBodyBytes: number;
  /** Most messages in one batch. */
  maxBatch: number;
  /** Deepest nesting of arrays and objects in a batch. */
  maxDepth: number;
  /** How long the rest of a body refused with 413 is read before the connection is closed (HTTP_LINGER_MS). */
  lingerMs: number;
}

export interface HttpOptions {
  /** Read the client address and scheme from X-Forwarded-* headers. */
  trustProxy: ProxyTrust;
  /** The BAYEUX_BROWSER cookie is for a widget on another site: `SameSite=None; Secure; Partitioned`. */
  crossSiteCookie: boolean;
}

const SUFFIXES = ["", "/", "/handshake", "/connect", "/subscribe", "/unsubscribe", "/disconnect", "/publish"];
const JSONP_CALLBACK = /^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,3}$/;
const COOKIE = "BAYEUX_BROWSER";
const COOKIE_VALUE = /(?:^|;\s*)BAYEUX_BROWSER=([^;\s]+)/;
const NO_QUERY = new URLSearchParams();
const CALLBACK_POLLING_REFUSED = "400::callback-polling is not served on this endpoint";

/** Returns a request handler that serves Bayeux paths and answers false for every other path. */
export function longPollingHandler(engine: BayeuxEngine, bindings: EndpointBinding[], limits: HttpLimits, options: HttpOptions, logger: Logger) {
  const byPath = new Map<string, EndpointBinding>();
  for (const binding of bindings) for (const suffix of SUFFIXES) byPath.set(binding.path + suffix, binding);

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const binding = byPath.get(q < 0 ? url : url.slice(0, q));
    if (binding === undefined) return false;
    serve(engine, binding, limits, options, req, res, q < 0 ? "" : url.slice(q + 1)).catch((err: unknown) => {
      // A client that goes away mid-upload is routine: no stack, not an error.
      if (req.destroyed && !res.headersSent) return logger.debug({ code: (err as { code?: unknown }).code }, "bayeux request aborted by the client");
      logger.error({ err }, "bayeux request failed");
      if (!res.headersSent) send(res, 500, [{ channel: "/meta/unknown", successful: false, error: "500::Server error" }]);
    });
    return true;
  };
}

async function serve(
  engine: BayeuxEngine,
  binding: EndpointBinding,
  limits: HttpLimits,
  options: HttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
): Promise<void> {
  const query = search === "" ? NO_QUERY : new URLSearchParams(search);
  const jsonp = req.method === "GET" ? query.get("jsonp") : null;
  if (req.method !== "POST" && req.method !== "GET") return send(res, 405, [badMessage("405::Method not allowed")]);
  // Where callback-polling is not served, the answer is JSON: never a script another page could include.
  if (jsonp !== null && !binding.callbackPolling) return send(res, 400, [badMessage(CALLBACK_POLLING_REFUSED)]);
  if (jsonp !== null && !JSONP_CALLBACK.test(jsonp)) return send(res, 400, [badMessage("400::Bad jsonp callback")]);
  if (req.method === "GET" && !query.has("message")) return send(res, 400, [badMessage("400::Bad message: no message parameter")], jsonp);
  const text = req.method === "GET" ? query.get("message") : await readBody(req, limits.maxBodyBytes);
  if (text === null || (req.method === "GET" && text.length > limits.maxBodyBytes)) {
    closeAfterAnswer(req, res, limits.lingerMs);
    return send(res, 413, [badMessage("413::Message too large")], jsonp);
  }
  const messages = parseBatch(text, limits);
  if (typeof messages === "string") return send(res, 400, [badMessage(messages)], jsonp);

  const proven = binding.requestIdentity(req, query);
  const identity = typeof proven === "object" && proven !== null ? await proven : proven;
  if (isRefused(identity)) {
    const { status, error, retryAfterSeconds } = identity.refused;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
    // Not for good: the client may handshake again once the wait is over.
    const advice = { reconnect: "handshake" as const, interval: (retryAfterSeconds ?? 1) * 1000 };
    return send(
      res,
      status,
      messages.map((m) => ({ ...refusal(m, error), advice })),
      jsonp,
      headers,
    );
  }
  const cookie = req.headers.cookie;
  const ctx: RequestContext = {
    transport: jsonp === null ? "long-polling" : "callback-polling",
    identity,
    browserId: cookie === undefined ? null : (COOKIE_VALUE.exec(cookie)?.[1] ?? null),
    ip: clientAddress(req, options.trustProxy),
    // The per-connection cap is for WebSockets; here the per-address and per-identity caps apply.
    connection: null,
    onClose(callback) {
      const listener = () => {
        if (!res.writableEnded) callback();
      };
      res.once("close", listener);
      return () => res.off("close", listener);
    },
  };
  const items = await engine.process(binding.policy.name, messages, ctx);
  if (res.destroyed) return;
  const headers: Record<string, string> = {};
  if (ctx.browserId === null && items.some(isSuccessfulHandshake)) {
    headers["set-cookie"] = browserCookie(randomBytes(12).toString("hex"), options, cameOverHttps(req, options.trustProxy));
  }
  send(res, 200, items, jsonp, headers);
}

function browserCookie(value: string, options: HttpOptions, https: boolean): string {
  const base = `${COOKIE}=${value}; Path=/; HttpOnly`;
  if (options.crossSiteCookie) return `${base}; SameSite=None; Secure; Partitioned`;
  return https ? `${base}; SameSite=Lax; Secure` : `${base}; SameSite=Lax`;
}

/** Reads the body up to `limit` bytes; null when it is larger (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      return resolve(null);
    }
    // Whole bytes first: a character may straddle two chunks.
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        return resolve(null);
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, items: Item[], jsonp?: string | null, headers: Record<string, string> = {}): void {
  const body = serializeBatch(items);
  const javascript = jsonp !== null && jsonp !== undefined;
  const payload = javascript ? `${jsonp}(${body})` : body;
  res.writeHead(status, {
    "content-type": javascript ? "text/javascript;charset=UTF-8" : "application/json;charset=UTF-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-cache, no-store",
    // A JSONP body is script: never let a browser guess it is something else.
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(payload);
}

function badMessage(error: string): Reply {
  return { channel: "/meta/unknown", successful: false, error };
}

function refusal(message: unknown, error: string): Reply {
  const m = typeof message === "object" && message !== null ? (message as Record<string, unknown>) : {};
  const reply: Reply = {
    channel: typeof m.channel === "string" ? m.channel : "/meta/unknown",
    successful: false,
    error,
    advice: NONE_ADVICE,
  };
  if (m.id !== undefined) reply.id = m.id;
  return reply;
}

function isSuccessfulHandshake(item: Item): boolean {
  return typeof item !== "string" && item.channel === "/meta/handshake" && item.successful === true;
}

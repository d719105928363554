/**
 * The official CometD JavaScript client (npm `cometd`) running in Node through
 * `cometd-nodejs-client`, with promise helpers for tests.
 */
import { AckExtension, CometD, type Message } from "cometd";
import { adapt } from "cometd-nodejs-client";

adapt();

export type Transport = "long-polling" | "websocket";

export interface ClientOptions {
  transport: Transport;
  gmsUser?: string;
  /** Extra handshake fields, e.g. `{ ext: { gms_user } }` over WebSocket. */
  handshake?: object;
  /** Share the process-wide cookie jar (one "browser" for every such client). Default: a jar of its own. */
  sharedCookies?: boolean;
  headers?: Record<string, string>;
}

export interface TestClient {
  cometd: CometD;
  handshake(): Promise<Message>;
  subscribe(channel: string): Promise<Message>;
  /** Every data message received on subscribed channels, in order. */
  received: Message[];
  /** Resolves with the received messages once at least `count` have arrived (or fails after `ms`). */
  waitFor(count: number, ms?: number): Promise<Message[]>;
  disconnect(): Promise<void>;
}

export function cometdClient(url: string, options: ClientOptions): TestClient {
  const cometd = new CometD();
  cometd.registerExtension("ack", new AckExtension());
  for (const type of ["websocket", "long-polling", "callback-polling"]) {
    if (type !== options.transport) cometd.unregisterTransport(type);
  }
  const headers: Record<string, string> = { ...options.headers };
  if (options.gmsUser !== undefined) headers.gms_user = options.gmsUser;
  cometd.configure({ url, logLevel: "warn", requestHeaders: headers, maxNetworkDelay: 5000 });
  if (options.sharedCookies !== true) {
    const transport = cometd.findTransport(options.transport) as unknown as { context: unknown } | null;
    if (transport !== null) transport.context = { cookieStore: {} };
  }
  const received: Message[] = [];
  const waiters = new Set<() => void>();
  const listener = (message: Message) => {
    received.push(message);
    for (const wake of waiters) wake();
  };
  return {
    cometd,
    received,
    handshake: () => new Promise((resolve) => cometd.handshake(options.handshake ?? {}, resolve)),
    subscribe: (channel) => new Promise((resolve) => cometd.subscribe(channel, listener, resolve)),
    waitFor(count, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${ms} ms with ${received.length} of ${count} messages`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    disconnect: () =>
      new Promise((resolve) => {
        if (cometd.getStatus() === "disconnected") return resolve();
        cometd.disconnect(() => resolve());
      }),
  };
}

/**
 * The official CometD client (npm `cometd`) as both pages use it: WebSocket first, long-polling
 * when a WebSocket cannot be opened, the ack extension (nothing lost across reconnects), and the
 * connection state as a signal the pages show ("Reconnecting…").
 */
import { signal } from "@preact/signals";
import { AckExtension, CometD, type Message, type SubscriptionHandle } from "cometd";
import { apiUrl } from "./http.ts";

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface Comet {
  /** Connection state: "disconnected" while the server is unreachable (the client retries on its own). */
  state: ReturnType<typeof signal<ConnectionState>>;
  /** Subscribes now and again after every new handshake (a server restart forgets subscriptions); several listeners may share a channel. */
  subscribe(channel: string, onMessage: (data: unknown) => void): void;
  /** Called after each successful handshake, the first included (re-read state the client may have missed). */
  onHandshake(listener: () => void): void;
  disconnect(): Promise<void>;
}

export interface CometOptions {
  /** The endpoint, relative to the API base: `genesys/cometd` (customers) or `api/v2/notifications` (agents). */
  path: string;
  /** Headers for long-polling requests (a customer's `gms_user`). */
  requestHeaders?: Record<string, string>;
  /** Handshake fields (`{ext: {gms_user}}`: a WebSocket cannot carry headers). */
  handshakeProps?: object;
}

export function connectComet(options: CometOptions): Comet {
  const cometd = new CometD();
  cometd.registerExtension("ack", new AckExtension());
  cometd.configure({
    url: apiUrl(options.path),
    requestHeaders: options.requestHeaders ?? {},
    maxBackoff: 10_000,
    logLevel: "warn",
    // The client's default scheduler is a Worker made from a blob: URL, which the pages' CSP
    // (script-src 'self') refuses; without it no /meta/connect ever follows the handshake.
    useWorkerScheduler: false,
  });
  const state = signal<ConnectionState>("connecting");
  const subscriptions = new Map<string, Array<(data: unknown) => void>>();
  const handles: SubscriptionHandle[] = [];
  const handshakeListeners: Array<() => void> = [];

  const subscribeAll = () => {
    cometd.batch(() => {
      for (const handle of handles.splice(0)) cometd.unsubscribe(handle);
      for (const [channel, listeners] of subscriptions) {
        handles.push(
          cometd.subscribe(channel, (m: Message) => {
            for (const listener of listeners) listener(m.data);
          }),
        );
      }
    });
  };

  cometd.addListener("/meta/handshake", (m: Message) => {
    if (!m.successful) return;
    subscribeAll();
    for (const listener of handshakeListeners) listener();
  });
  cometd.addListener("/meta/connect", (m: Message) => {
    if (cometd.isDisconnected()) state.value = "disconnected";
    else state.value = m.successful ? "connected" : "disconnected";
  });
  cometd.addListener("/meta/unsuccessful", () => {
    state.value = "disconnected";
  });
  cometd.handshake(options.handshakeProps ?? {});

  return {
    state,
    subscribe(channel, onMessage) {
      const listeners = subscriptions.get(channel);
      if (listeners !== undefined) {
        listeners.push(onMessage);
        return;
      }
      subscriptions.set(channel, [onMessage]);
      if (cometd.getStatus() === "connected") subscribeAll();
    },
    onHandshake(listener) {
      handshakeListeners.push(listener);
    },
    disconnect() {
      return new Promise((resolve) => {
        if (cometd.isDisconnected()) resolve();
        else cometd.disconnect(() => resolve());
      });
    },
  };
}

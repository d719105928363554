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
  /**
   * Subscribes now and again after every new handshake (a server restart forgets subscriptions); several listeners may share a channel.
   * Returns what removes this listener (the channel is unsubscribed with its last one).
   */
  subscribe(channel: string, onMessage: (data: unknown) => void): () => void;
  /** Called after each successful handshake, the first included (re-read state the client may have missed). Returns what removes it. */
  onHandshake(listener: () => void): () => void;
  disconnect(): Promise<void>;
}

export interface CometOptions {
  /** The endpoint, relative to the API base: `<gms app>/cometd` (customers) or `api/v2/notifications` (agents). */
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
  const handles = new Map<string, SubscriptionHandle>();
  const handshakeListeners: Array<() => void> = [];

  const subscribeChannel = (channel: string, listeners: Array<(data: unknown) => void>) => {
    handles.set(
      channel,
      cometd.subscribe(channel, (m: Message) => {
        // A copy: a listener may remove itself (or another) while the message is handed out.
        for (const listener of [...listeners]) listener(m.data);
      }),
    );
  };
  const subscribeAll = () => {
    cometd.batch(() => {
      for (const handle of handles.values()) cometd.unsubscribe(handle);
      handles.clear();
      for (const [channel, listeners] of subscriptions) subscribeChannel(channel, listeners);
    });
  };
  /** Removes `item` from `list` once (the same function added twice is two listeners). */
  const remove = <T>(list: T[], item: T) => {
    const at = list.indexOf(item);
    if (at >= 0) list.splice(at, 1);
  };

  cometd.addListener("/meta/handshake", (m: Message) => {
    if (!m.successful) return;
    subscribeAll();
    for (const listener of [...handshakeListeners]) listener();
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
      if (listeners !== undefined) listeners.push(onMessage);
      else {
        const list = [onMessage];
        subscriptions.set(channel, list);
        if (cometd.getStatus() === "connected") subscribeChannel(channel, list);
      }
      let subscribed = true;
      return () => {
        const current = subscriptions.get(channel);
        if (!subscribed || current === undefined) return;
        subscribed = false;
        remove(current, onMessage);
        if (current.length > 0) return;
        subscriptions.delete(channel);
        const handle = handles.get(channel);
        handles.delete(channel);
        if (handle !== undefined && !cometd.isDisconnected()) cometd.unsubscribe(handle);
      };
    },
    onHandshake(listener) {
      handshakeListeners.push(listener);
      let added = true;
      return () => {
        if (added) remove(handshakeListeners, listener);
        added = false;
      };
    },
    disconnect() {
      return new Promise((resolve) => {
        if (cometd.isDisconnected()) resolve();
        else cometd.disconnect(() => resolve());
      });
    },
  };
}

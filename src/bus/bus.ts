/**
 * The cluster bus: fan-out between parley nodes. Two operations, JSON messages, at-most-once,
 * in publish order per publisher. In memory by default (one node); Redis when `REDIS_URL` is set.
 * Every message carries the node it came from, so a node can skip its own.
 */

export interface BusEnvelope<T = unknown> {
  /** The publishing node. */
  origin: string;
  payload: T;
}

export type BusHandler = (envelope: BusEnvelope) => void;

export interface Bus {
  /** False when no other node can hear this bus (one node, private memory hub): publishing is skipped. */
  readonly shared: boolean;
  publish(topic: string, envelope: BusEnvelope): Promise<void>;
  /** Resolves once messages on `topic` reach `handler`; the result unsubscribes. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The bus could not be opened (Redis unreachable or refusing us): the message says why, without secrets. */
export class BusOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BusOpenError";
  }
}

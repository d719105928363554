/**
 * The in-process bus. Nodes built with the same `MemoryHub` share it (tests run a cluster in one
 * process this way); by default each app has a hub of its own. Messages are delivered
 * asynchronously, as over a network, and round-trip through JSON so nothing shared by reference
 * leaks between nodes.
 */
import type { Bus, BusEnvelope, BusHandler } from "./bus.ts";

export class MemoryHub {
  private readonly topics = new Map<string, Set<BusHandler>>();

  emit(topic: string, text: string): void {
    const handlers = this.topics.get(topic);
    if (handlers === undefined) return;
    for (const handler of handlers) {
      queueMicrotask(() => handler(JSON.parse(text) as BusEnvelope));
    }
  }

  add(topic: string, handler: BusHandler): () => void {
    let handlers = this.topics.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.topics.set(topic, handlers);
    }
    handlers.add(handler);
    return () => handlers?.delete(handler);
  }
}

export class MemoryBus implements Bus {
  readonly shared: boolean;
  private readonly hub: MemoryHub;
  private readonly removers = new Set<() => void>();

  /** Without a hub the bus is this node's alone. */
  constructor(hub?: MemoryHub) {
    this.shared = hub !== undefined;
    this.hub = hub ?? new MemoryHub();
  }

  async publish(topic: string, envelope: BusEnvelope): Promise<void> {
    this.hub.emit(topic, JSON.stringify(envelope));
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    const remove = this.hub.add(topic, handler);
    this.removers.add(remove);
    return async () => {
      remove();
      this.removers.delete(remove);
    };
  }

  async close(): Promise<void> {
    for (const remove of this.removers) remove();
    this.removers.clear();
  }
}

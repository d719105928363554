/**
 * Prometheus metrics, one registry per app (no global registry, so tests can build many apps).
 * The only file that imports prom-client.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  /** Requests by method, route pattern and status; its `_count` is the request rate. */
  httpDuration: Histogram<"method" | "route" | "status_code">;
  /** Store calls by aggregate and method (`services.insert`). */
  storeDuration: Histogram<"operation">;
}

/** Exposes the CometD engine's counts, read when Prometheus scrapes. */
export function registerBayeuxMetrics(metrics: Metrics, stats: () => { sessions: number; parked: number; delivered: number }): void {
  const gauge = (name: string, help: string, pick: (s: ReturnType<typeof stats>) => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(pick(stats()));
      },
    });
  gauge("bayeux_clients", "CometD clients (sessions) on this node", (s) => s.sessions);
  gauge("bayeux_held_connects", "CometD /meta/connect requests held on this node", (s) => s.parked);
  // A count that only grows is a counter (`_total`): rate() then works on it.
  let counted = 0;
  new Counter({
    name: "bayeux_delivered_messages_total",
    help: "Messages written to CometD clients by this node since it started",
    registers: [metrics.registry],
    collect() {
      const delivered = stats().delivered;
      this.inc(Math.max(0, delivered - counted));
      counted = delivered;
    },
  });
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    storeDuration: new Histogram({
      name: "store_operation_duration_seconds",
      help: "Store call latency by operation",
      labelNames: ["operation"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

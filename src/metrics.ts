/**
 * Prometheus metrics, one registry per app (no global registry, so tests can build many apps).
 * The only file that imports prom-client.
 */
import { collectDefaultMetrics, Counter, Gauge, type Metric, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  /** Requests by method, route pattern and status; its `_count` is the request rate. */
  httpDuration: HotHistogram;
  /** Store calls by aggregate and method (`services.insert`). */
  storeDuration: HotHistogram;
}

/** Records one observation, in seconds, into one series of a histogram. */
export type Observe = (seconds: number) => void;

interface Series {
  labels: Record<string, string | number>;
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  counts: Float64Array;
  sum: number;
  observe: Observe;
}

/**
 * A histogram for the paths every request takes (one observation per request, one per store
 * call), which prom-client's registry reads only when scraped. prom-client's own `observe`
 * validates and hashes the labels into a string and indexes the buckets by their bounds as
 * property names on every call: 0.51-0.56 µs an observation in a loop, against 0.14 µs here
 * with the series looked up by its label values and 0.01 µs with the observer kept (the store's
 * observers are: one per operation). A read makes two observations.
 */
export class HotHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly string[];
  private readonly bounds: readonly number[];
  private readonly all = new Map<string, Series>();

  constructor(options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registers: Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = options.buckets;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The observer of the series with these label values, in the order of `labelNames`. */
  series(...values: (string | number)[]): Observe {
    const key = values.join("\u0000");
    const found = this.all.get(key);
    if (found !== undefined) return found.observe;
    const { bounds } = this;
    const series: Series = {
      labels: Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ""])),
      counts: new Float64Array(bounds.length + 1),
      sum: 0,
      observe: (seconds) => {
        let i = 0;
        while (i < bounds.length && seconds > (bounds[i] as number)) i++;
        series.counts[i] = (series.counts[i] as number) + 1;
        series.sum += seconds;
      },
    };
    this.all.set(key, series);
    return series.observe;
  }

  /** The registry's view when scraped: cumulative buckets, `_sum` and `_count` per series. */
  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, counts, sum } of this.all.values()) {
      let cumulative = 0;
      counts.forEach((count, i) => {
        cumulative += count;
        values.push({ labels: { ...labels, le: this.bounds[i] ?? "+Inf" }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: cumulative, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.all.clear();
  }
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
    httpDuration: new HotHistogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    storeDuration: new HotHistogram({
      name: "store_operation_duration_seconds",
      help: "Store call latency by operation",
      labelNames: ["operation"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

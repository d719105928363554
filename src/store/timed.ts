/**
 * A Store decorator that times every aggregate call (the timer layer of Mattermost's store
 * stack). It wraps any implementation, so the drivers stay free of metrics code.
 */
import type { Store } from "./store.ts";

type Observe = (operation: string, seconds: number) => void;
const AGGREGATES = ["services", "states", "tasks", "customers", "interactions"] as const;

export function timedStore(inner: Store, observe: Observe): Store {
  const wrapped = {} as Record<(typeof AGGREGATES)[number], unknown>;
  for (const name of AGGREGATES) wrapped[name] = timeAggregate(name, inner[name], observe);
  return {
    ...(wrapped as Pick<Store, (typeof AGGREGATES)[number]>),
    dialect: inner.dialect,
    transaction: (work) => inner.transaction((tx) => work(timedStore(tx, observe))),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

function timeAggregate<T extends object>(name: string, aggregate: T, observe: Observe): T {
  return new Proxy(aggregate, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      const operation = `${name}.${String(prop)}`;
      return async (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          observe(operation, Number(process.hrtime.bigint() - start) / 1e9);
        }
      };
    },
  });
}

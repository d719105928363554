/**
 * A Store decorator that times every aggregate call (the timer layer of Mattermost's store
 * stack). It wraps any implementation, so the drivers stay free of metrics code.
 */
import type { Store } from "./store.ts";

type Observe = (operation: string, seconds: number) => void;
const AGGREGATES = [
  "services",
  "states",
  "tasks",
  "customers",
  "interactions",
  "users",
  "userSessions",
  "agentChannels",
  "queues",
  "agentInteractions",
  "chats",
  "metadata",
] as const;

export function timedStore(root: Store, observe: Observe): Store {
  // Units of a group commit share one transaction store: wrap each store once.
  const wrappers = new WeakMap<Store, Store>();
  const timed = (inner: Store): Store => {
    let wrapper = wrappers.get(inner);
    if (wrapper === undefined) {
      wrapper = wrap(inner);
      wrappers.set(inner, wrapper);
    }
    return wrapper;
  };
  const wrap = (inner: Store): Store => {
    const aggregates = {} as Record<(typeof AGGREGATES)[number], unknown>;
    for (const name of AGGREGATES) aggregates[name] = timeAggregate(name, inner[name], observe);
    return {
      ...(aggregates as Pick<Store, (typeof AGGREGATES)[number]>),
      dialect: inner.dialect,
      transaction: (work) => inner.transaction((tx) => work(timed(tx))),
      ping: () => inner.ping(),
      close: () => inner.close(),
    };
  };
  return timed(root);
}

function timeAggregate<T extends object>(name: string, aggregate: T, observe: Observe): T {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(aggregate, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      let method = methods.get(prop);
      if (method === undefined) {
        method = timeMethod(`${name}.${String(prop)}`, value as (...a: unknown[]) => Promise<unknown>, target, observe);
        methods.set(prop, method);
      }
      return method;
    },
  });
}

function timeMethod(operation: string, fn: (...a: unknown[]) => Promise<unknown>, target: object, observe: Observe) {
  return async (...args: unknown[]) => {
    const start = performance.now();
    try {
      return await fn.apply(target, args);
    } finally {
      observe(operation, (performance.now() - start) / 1000);
    }
  };
}

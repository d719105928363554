/**
 * A Store decorator that times every aggregate call (the timer layer of Mattermost's store
 * stack). It wraps any implementation, so the drivers stay free of metrics code.
 */
import type { Store } from "./store.ts";

/** The observer of one operation's durations, asked for once per operation (`services.get`). */
type ObserverFor = (operation: string) => (seconds: number) => void;
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

export function timedStore(root: Store, observerFor: ObserverFor): Store {
  // Each operation's observer once; each aggregate (of the root and of every transaction's
  // store) wrapped once, when first used: a transaction touches only a few of them.
  const observers = new Map<string, (seconds: number) => void>();
  const observer = (operation: string) => {
    let observe = observers.get(operation);
    if (observe === undefined) {
      observe = observerFor(operation);
      observers.set(operation, observe);
    }
    return observe;
  };
  const aggregates = new WeakMap<object, object>();
  const timedAggregate = <T extends object>(name: string, aggregate: T): T => {
    let timed = aggregates.get(aggregate) as T | undefined;
    if (timed === undefined) {
      timed = timeAggregate(name, aggregate, observer);
      aggregates.set(aggregate, timed);
    }
    return timed;
  };
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
    const wrapper = {
      dialect: inner.dialect,
      transaction: (work) => inner.transaction((tx) => work(timed(tx))),
      ping: () => inner.ping(),
      close: () => inner.close(),
    } as Store;
    for (const name of AGGREGATES) {
      Object.defineProperty(wrapper, name, { enumerable: true, get: () => timedAggregate(name, inner[name]) });
    }
    return wrapper;
  };
  return timed(root);
}

/**
 * The aggregate with each of its methods timed: an object whose prototype is the aggregate, with
 * a timed own property per method, built once per store (no per-call proxy or label lookup).
 */
function timeAggregate<T extends object>(name: string, aggregate: T, observerFor: ObserverFor): T {
  const timed = Object.create(aggregate) as Record<string, unknown>;
  for (const method of methodNames(aggregate)) {
    const fn = (aggregate as Record<string, unknown>)[method] as (...a: unknown[]) => Promise<unknown>;
    timed[method] = timeMethod(fn, aggregate, observerFor(`${name}.${method}`));
  }
  return timed as T;
}

/** The methods an object has through its classes (not Object's own). */
function methodNames(object: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(object); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== "constructor" && typeof (object as Record<string, unknown>)[key] === "function") names.add(key);
    }
  }
  return [...names];
}

function timeMethod(fn: (...a: unknown[]) => Promise<unknown>, target: object, observe: (seconds: number) => void) {
  return async (...args: unknown[]) => {
    const start = performance.now();
    try {
      return await fn.apply(target, args);
    } finally {
      observe((performance.now() - start) / 1000);
    }
  };
}

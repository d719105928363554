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
  const tables = new Map<string, TimedTable>();
  const timedAggregate = <T extends object>(name: string, aggregate: T): T => {
    let timed = aggregates.get(aggregate) as T | undefined;
    if (timed === undefined) {
      timed = timeAggregate(name, aggregate, observer, tables);
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
  // One class for every wrapper, its aggregate getters on the prototype: a transaction's store
  // is wrapped with one small object, not twelve property definitions.
  class TimedStore {
    readonly dialect: Store["dialect"];
    readonly inner: Store;
    constructor(inner: Store) {
      this.inner = inner;
      this.dialect = inner.dialect;
    }
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      return this.inner.transaction((tx) => work(timed(tx)));
    }
    ping() {
      return this.inner.ping();
    }
    close() {
      return this.inner.close();
    }
  }
  for (const name of AGGREGATES) {
    Object.defineProperty(TimedStore.prototype, name, {
      enumerable: true,
      get(this: TimedStore) {
        return timedAggregate(name, this.inner[name]);
      },
    });
  }
  const wrap = (inner: Store): Store => new TimedStore(inner) as unknown as Store;
  return timed(root);
}

/** Where a timed method finds the aggregate it times. */
const TARGET = Symbol("timed target");

/**
 * The aggregate with each of its methods timed (aggregates are methods only, see store.ts): an
 * object holding the aggregate at TARGET, whose prototype is its class's timed methods. Every
 * transaction has its own aggregates, so those methods are built once per aggregate name and
 * class: a write pays for one small object, not for a walk of the class and a closure per method.
 */
function timeAggregate<T extends object>(name: string, aggregate: T, observerFor: ObserverFor, tables: Map<string, TimedTable>): T {
  const proto = Object.getPrototypeOf(aggregate) as object;
  let table = tables.get(name);
  if (table?.proto !== proto) {
    table = { proto, methods: timedMethods(name, aggregate, observerFor) };
    tables.set(name, table);
  }
  const timed = Object.create(table.methods) as Record<string | symbol, unknown>;
  timed[TARGET] = aggregate;
  return timed as T;
}

interface TimedTable {
  proto: object;
  methods: Record<string, unknown>;
}

function timedMethods(name: string, aggregate: object, observerFor: ObserverFor): Record<string, unknown> {
  const methods: Record<string, unknown> = {};
  for (const method of methodNames(aggregate)) {
    const observe = observerFor(`${name}.${method}`);
    methods[method] = async function (this: { [TARGET]: Record<string, (...a: unknown[]) => Promise<unknown>> }, ...args: unknown[]) {
      const start = performance.now();
      try {
        return await this[TARGET][method]!(...args);
      } finally {
        observe((performance.now() - start) / 1000);
      }
    };
  }
  return methods;
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

/**
 * A Store that times every call into a histogram (the timer layer of Mattermost's store stack).
 * It wraps any implementation, so the drivers stay free of metrics code.
 *
 * Nothing can be left untimed by omission: `TimedStore implements Store` names every aggregate,
 * so the compiler refuses a Store with an aggregate it does not time, and within an aggregate
 * every method its class has is timed, read from the class rather than listed by hand.
 *
 * Cost: a transaction's store is wrapped in one small object, and each aggregate it uses in
 * another that holds only the real aggregate. The timed methods live on a class built once per
 * aggregate class (TimedAggregate below), so a transaction allocates no closure per method.
 */
import type { DatabaseCopy, Store } from "./store.ts";

/** The observer of one operation's durations (`services.get`), asked for once per operation. */
export type ObserverFor = (operation: string) => (seconds: number) => void;

/** The aggregates of a Store: everything it has but its dialect and its four methods. */
type AggregateName = Exclude<keyof Store, "dialect" | "transaction" | "ping" | "backup" | "close">;

/** The Store with every aggregate call reported to `observerFor(operation)`, in and out of transactions. */
export function timedStore(root: Store, observerFor: ObserverFor): Store {
  return new Timers(observerFor).store(root);
}

/**
 * Aggregates and operations renamed after their metrics were published (issue 16), labelled as
 * before: the series are what dashboards and alerts query, and a rename in the code must not move them.
 */
const LABELS_BEFORE_RENAME: Readonly<Record<string, string>> = {
  history: "interactions",
  "services.nextStepId": "services.nextChildId",
};

/** The metric label of one operation: `<aggregate>.<method>`, under its published name. */
export function operationLabel(aggregate: string, method: string): string {
  const renamed = LABELS_BEFORE_RENAME[`${aggregate}.${method}`];
  return renamed ?? `${LABELS_BEFORE_RENAME[aggregate] ?? aggregate}.${method}`;
}

/** An aggregate: an object whose methods all return promises (see store.ts). */
type Aggregate = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** A timed aggregate: the real one it calls, and (on its class) the timed twin of each method. */
interface TimedAggregate {
  readonly target: Aggregate;
}
type TimedAggregateClass = new (target: Aggregate) => TimedAggregate;

/** What every timed store of one root shares: observers, timed classes, and the wrappers made so far. */
class Timers {
  private readonly observerFor: ObserverFor;
  /** Per aggregate name, the timed class built for each class it came in (one, in practice). */
  private readonly classes = new Map<string, Map<object, TimedAggregateClass>>();
  /** Real aggregate → its timed wrapper, made when first used (a transaction uses few of them). */
  private readonly aggregates = new WeakMap<object, TimedAggregate>();
  /** Real store → its timed store: the units of a group commit share one transaction store. */
  private readonly stores = new WeakMap<Store, Store>();

  constructor(observerFor: ObserverFor) {
    this.observerFor = observerFor;
  }

  /** The timed store of a store: made once, so the units of a group commit share it too. */
  store(inner: Store): Store {
    let timed = this.stores.get(inner);
    if (timed === undefined) {
      timed = new TimedStore(inner, this);
      this.stores.set(inner, timed);
    }
    return timed;
  }

  /** The store's aggregate of that name, timed under it. */
  aggregate<N extends AggregateName>(store: Store, name: N): Store[N] {
    const aggregate = store[name];
    let timed = this.aggregates.get(aggregate);
    if (timed === undefined) {
      const TimedClass = this.timedClass(name, aggregate);
      timed = new TimedClass(aggregate as unknown as Aggregate);
      this.aggregates.set(aggregate, timed);
    }
    return timed as unknown as Store[N];
  }

  private timedClass(name: AggregateName, aggregate: object): TimedAggregateClass {
    const prototype = Object.getPrototypeOf(aggregate) as object;
    let byClass = this.classes.get(name);
    if (byClass === undefined) {
      byClass = new Map();
      this.classes.set(name, byClass);
    }
    let TimedClass = byClass.get(prototype);
    if (TimedClass === undefined) {
      TimedClass = buildTimedClass(name, methodNames(aggregate), this.observerFor);
      byClass.set(prototype, TimedClass);
    }
    return TimedClass;
  }
}

/**
 * A class with one method per name: each times a call to the same method of its target and
 * reports it to that operation's observer, asked for here, once.
 */
function buildTimedClass(aggregate: string, methods: readonly string[], observerFor: ObserverFor): TimedAggregateClass {
  class Timed implements TimedAggregate {
    readonly target: Aggregate;
    constructor(target: Aggregate) {
      this.target = target;
    }
  }
  const prototype = Timed.prototype as unknown as Record<string, unknown>;
  for (const method of methods) {
    const observe = observerFor(operationLabel(aggregate, method));
    prototype[method] = async function (this: Timed, ...args: unknown[]) {
      const call = this.target[method];
      if (call === undefined) throw new TypeError(`${aggregate}.${method} is not a method`);
      const start = performance.now();
      try {
        return await call.apply(this.target, args);
      } finally {
        observe((performance.now() - start) / 1000);
      }
    };
  }
  return Timed;
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

/** A store whose aggregates are timed; its transactions get a timed store of their own. */
class TimedStore implements Store {
  readonly dialect: Store["dialect"];
  private readonly inner: Store;
  private readonly timers: Timers;

  constructor(inner: Store, timers: Timers) {
    this.inner = inner;
    this.timers = timers;
    this.dialect = inner.dialect;
  }

  get services() {
    return this.timers.aggregate(this.inner, "services");
  }
  get states() {
    return this.timers.aggregate(this.inner, "states");
  }
  get tasks() {
    return this.timers.aggregate(this.inner, "tasks");
  }
  get customers() {
    return this.timers.aggregate(this.inner, "customers");
  }
  get history() {
    return this.timers.aggregate(this.inner, "history");
  }
  get users() {
    return this.timers.aggregate(this.inner, "users");
  }
  get userSessions() {
    return this.timers.aggregate(this.inner, "userSessions");
  }
  get agentChannels() {
    return this.timers.aggregate(this.inner, "agentChannels");
  }
  get agentPresence() {
    return this.timers.aggregate(this.inner, "agentPresence");
  }
  get queues() {
    return this.timers.aggregate(this.inner, "queues");
  }
  get agentInteractions() {
    return this.timers.aggregate(this.inner, "agentInteractions");
  }
  get wrapUps() {
    return this.timers.aggregate(this.inner, "wrapUps");
  }
  get agentStateLog() {
    return this.timers.aggregate(this.inner, "agentStateLog");
  }
  get lastAgents() {
    return this.timers.aggregate(this.inner, "lastAgents");
  }
  get chats() {
    return this.timers.aggregate(this.inner, "chats");
  }
  get metadata() {
    return this.timers.aggregate(this.inner, "metadata");
  }
  get feed() {
    return this.timers.aggregate(this.inner, "feed");
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => work(this.timers.store(tx)));
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  backup(fileName: string): Promise<DatabaseCopy> {
    return this.inner.backup(fileName);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

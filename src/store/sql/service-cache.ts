/**
 * Services kept in memory after a read, for the SQLite store. A `GET /services/{id}` then costs
 * no SQL at all: under load that doubles the reads a node answers (README, Benchmarks), far more
 * than the read's few microseconds in a loop would suggest, as SQLite's code and pages compete
 * for the CPU caches with everything else a request runs.
 *
 * It is kept true by the database, not by the callers: sqlite.ts adds temporary triggers that
 * call `forget(id)` on every UPDATE or DELETE of a services row, whichever code path runs it
 * (patches, touches, step ids, merges, erasure, purges, housekeeping), and a file in
 * `locking_mode=EXCLUSIVE` has no other writer. A read may be kept only if no service changed
 * between its start and its end (`token()`): a read answered before a transaction wrote the row,
 * and kept after, would otherwise outlive the change. Reads inside a transaction never use it.
 *
 * Bounded in bytes (an estimate from the stored JSON). What goes is the oldest entry not read
 * since it was last passed over ("second chance", a cheap LRU). A hit only sets a flag: moving
 * the entry to the end of the Map (delete, then set) would leave a deleted slot in the same
 * hash chain on every read of a hot service, until V8 rehashes, and with 10,000 services kept
 * that halved the reads of one hot service under load. Cached services are frozen, deep:
 * callers share them, and a mutation throws instead of spreading.
 */
import type { Service } from "../../domain/journeys.ts";

/** What a parsed service holds in memory beyond its JSON text: object headers, keys, numbers. */
const ENTRY_OVERHEAD_BYTES = 512;
/** JS strings and parsed objects take a few times the UTF-8 text they came from. */
const TEXT_MEMORY_FACTOR = 3;
/** One service may take this share of the budget at most, so one large row never empties it. */
const LARGEST_SHARE = 1 / 64;

interface Entry {
  service: Service;
  bytes: number;
  /** Read since it was kept or last passed over by eviction. */
  recent: boolean;
}

export class ServiceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly limitBytes: number;
  private heldBytes = 0;
  private changes = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  /** The service kept under this id and form, marked as recently used. */
  get(id: string, withExtensions: boolean): Service | undefined {
    const entry = this.entries.get(keyOf(id, withExtensions));
    if (entry === undefined) return undefined;
    entry.recent = true;
    return entry.service;
  }

  /** Taken before a read; `keep` refuses what was read if any service changed since. */
  token(): number {
    return this.changes;
  }

  /** Keeps a service read from committed state; `textBytes` is the length of its stored text. */
  keep(service: Service, withExtensions: boolean, textBytes: number, token: number): void {
    if (token !== this.changes) return;
    const bytes = ENTRY_OVERHEAD_BYTES + textBytes * TEXT_MEMORY_FACTOR;
    if (bytes > this.limitBytes * LARGEST_SHARE) return;
    const key = keyOf(service.id, withExtensions);
    this.drop(key);
    this.entries.set(key, { service: deepFreeze(service), bytes, recent: false });
    this.heldBytes += bytes;
    this.evict();
  }

  /** A services row changed or went: forget both forms of it, and refuse reads in flight. */
  forget(id: string): void {
    this.changes++;
    this.drop(keyOf(id, true));
    this.drop(keyOf(id, false));
  }

  /** Bytes held (an estimate) and services kept. */
  get size(): { bytes: number; entries: number } {
    return { bytes: this.heldBytes, entries: this.entries.size };
  }

  /** Drops the oldest entries not read lately; a recently read one goes to the end, once. */
  private evict(): void {
    while (this.heldBytes > this.limitBytes) {
      const [key, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(key);
      if (entry.recent) {
        entry.recent = false;
        this.entries.set(key, entry);
      } else {
        this.heldBytes -= entry.bytes;
      }
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.heldBytes -= entry.bytes;
  }
}

function keyOf(id: string, withExtensions: boolean): string {
  return withExtensions ? id : `${id}/bare`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

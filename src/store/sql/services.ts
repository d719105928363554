/** Services in SQL (SQLite and PostgreSQL through Kysely). */
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Updateable } from "kysely";
import type { Json } from "../../domain/json.ts";
import { parseJsonObject } from "../../domain/json.ts";
import type { Service } from "../../domain/journeys.ts";
import type { ExportFilter, NewService, PurgeSelection, ServiceMatch, ServicePatch, ServiceQuery, ServiceStore } from "../store.ts";
import type { Database, ServicesTable } from "./schema.ts";
import { runPrepared } from "./prepared.ts";
import type { ServiceCache } from "./service-cache.ts";
import { dbId, int, jsonOrNull, storedBytes } from "./values.ts";

/** The columns a Service is read from (toService); the id counters and deadlines stay in SQL. */
const SERVICE_COLUMNS_BUT_EXTENSIONS = [
  "id",
  "customer_id",
  "contact_key",
  "service_type",
  "started",
  "completed",
  "started_at",
  "completed_at",
  "updated_at",
  "auto_complete_after",
  "expires_at",
  "expiry_pinned",
] as const;
const SERVICE_COLUMNS = [...SERVICE_COLUMNS_BUT_EXTENSIONS, "extensions"] as const;
/** A service row as read, with or without its extensions. */
type ServiceRow = Pick<Selectable<ServicesTable>, (typeof SERVICE_COLUMNS_BUT_EXTENSIONS)[number]> & { extensions?: string };

export class SqlServiceStore implements ServiceStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";
  /** Set on SQLite's root store only: never inside a transaction (see service-cache.ts). */
  private readonly cache: ServiceCache | null;

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres", cache: ServiceCache | null = null) {
    this.db = db;
    this.dialect = dialect;
    this.cache = cache;
  }

  async insert(s: NewService): Promise<string> {
    const values = {
      customer_id: s.customerId,
      contact_key: s.contactKey,
      service_type: jsonOrNull(s.type),
      started: JSON.stringify(s.started),
      extensions: JSON.stringify(s.extensions),
      started_at: s.startedAt,
      updated_at: s.updatedAt,
      auto_complete_after: s.autoCompleteAfter,
      auto_complete_at: s.autoCompleteAfter === null ? null : s.updatedAt + s.autoCompleteAfter * 1000,
      expires_at: s.expiresAt,
      expiry_pinned: s.expiryPinned ? 1 : 0,
    };
    // Every Start Service runs this: compiled once; the parameters are the values in key order.
    const [row] = await runPrepared(
      this.db,
      this.dialect,
      "service-insert",
      (db) => db.insertInto("services").values(values).returning("id"),
      Object.values(values),
    );
    if (row === undefined) throw new Error("insert returned no id");
    return String(row.id);
  }

  async get(id: string, options: { lock?: boolean; withExtensions?: boolean } = {}): Promise<Service | null> {
    const key = dbId(id);
    if (key === null) return null;
    // Every request on a service reads it by id first: this query is compiled once.
    const lock = options.lock === true && this.dialect === "postgres";
    const withExtensions = options.withExtensions !== false;
    const cached = this.cache?.get(id, withExtensions);
    if (cached !== undefined) return cached;
    const token = this.cache?.token() ?? 0;
    const [row] = await runPrepared<ServiceRow>(
      this.db,
      this.dialect,
      `service.${lock ? "for-update" : "read"}.${withExtensions ? "all" : "but-extensions"}`,
      (db) => {
        const query = db
          .selectFrom("services")
          .select(withExtensions ? SERVICE_COLUMNS : SERVICE_COLUMNS_BUT_EXTENSIONS)
          .where("id", "=", 0);
        return lock ? query.forUpdate() : query;
      },
      [key],
    );
    if (row === undefined) return null;
    const service = toService(row.extensions === undefined ? { ...row, extensions: "{}" } : (row as ServiceRow & { extensions: string }));
    this.cache?.keep(service, withExtensions, textLength(row), token);
    return service;
  }

  async list(q: ServiceQuery): Promise<Service[]> {
    const withExtensions = q.withExtensions !== false;
    const rows = await this.filtered(q)
      .select(withExtensions ? SERVICE_COLUMNS : SERVICE_COLUMNS_BUT_EXTENSIONS)
      .execute();
    return rows.reverse().map((row) => toService({ ...row, extensions: "extensions" in row ? row.extensions : "{}" }));
  }

  async listBytes(q: ServiceQuery): Promise<number> {
    const bytes = storedBytes(["started", "completed", ...(q.withExtensions === false ? [] : ["extensions"])]);
    const row = await this.db
      .selectFrom(this.filtered(q).select(bytes.as("bytes")).as("s"))
      .select(sql<number | string | null>`sum(s.bytes)`.as("total"))
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** The services a query selects, newest first (so `latest` keeps the last N started). */
  private filtered(q: ServiceQuery) {
    let query = this.db.selectFrom("services");
    if (q.customerId !== undefined) query = query.where("customer_id", "=", q.customerId);
    if (q.anonymousContactKey !== undefined) {
      query = query.where("contact_key", "=", q.anonymousContactKey).where("customer_id", "is", null);
    }
    if (q.status === "active") query = query.where("completed_at", "is", null);
    if (q.status === "completed") query = query.where("completed_at", "is not", null);
    if (q.types !== undefined) query = query.where("service_type", "in", q.types);
    if (q.startedFrom !== undefined) query = query.where("started_at", ">=", q.startedFrom);
    if (q.startedTo !== undefined) query = query.where("started_at", "<", q.startedTo);
    if (q.completedFrom !== undefined) query = query.where("completed_at", ">=", q.completedFrom);
    if (q.completedTo !== undefined) query = query.where("completed_at", "<", q.completedTo);
    query = query.orderBy("started_at", "desc").orderBy("id", "desc");
    return q.latest === undefined ? query : query.limit(q.latest);
  }

  async findActive(m: ServiceMatch): Promise<Service | null> {
    const type = jsonOrNull(m.type);
    const row = await this.db
      .selectFrom("services")
      .select(SERVICE_COLUMNS)
      .where("completed_at", "is", null)
      .where((eb) => (m.customerId === null ? eb("customer_id", "is", null) : eb("customer_id", "=", m.customerId)))
      .where((eb) => (m.contactKey === null ? eb("contact_key", "is", null) : eb("contact_key", "=", m.contactKey)))
      .where((eb) => (type === null ? eb("service_type", "is", null) : eb("service_type", "=", type)))
      .orderBy("started_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst();
    return row === undefined ? null : toService(row);
  }

  async update(id: string, p: ServicePatch): Promise<void> {
    const key = dbId(id);
    if (key === null) return;
    const values: Updateable<ServicesTable> = {};
    if (p.customerId !== undefined) values.customer_id = p.customerId;
    if (p.type !== undefined) values.service_type = jsonOrNull(p.type);
    if (p.started !== undefined) values.started = JSON.stringify(p.started);
    if (p.completed !== undefined) values.completed = p.completed === null ? null : JSON.stringify(p.completed);
    if (p.completedAt !== undefined) values.completed_at = p.completedAt;
    if (p.extensions !== undefined) values.extensions = JSON.stringify(p.extensions);
    if (p.expiresAt !== undefined) values.expires_at = p.expiresAt;
    if (p.expiryPinned !== undefined) values.expiry_pinned = p.expiryPinned ? 1 : 0;
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable("services").set(values).where("id", "=", key).execute();
  }

  async touch(id: string, now: number, expiresAt: number): Promise<boolean> {
    const key = dbId(id);
    if (key === null) return false;
    const result = await this.db.updateTable("services").set(touchValues(now, expiresAt)).where("id", "=", key).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async nextStepId(id: string, kind: "state" | "task", now: number, expiresAt: number): Promise<number | null> {
    const key = dbId(id);
    if (key === null) return null;
    const column = kind === "state" ? "next_state_id" : "next_task_id";
    // One UPDATE both allocates and locks the service row until the transaction ends.
    const row = await this.db
      .updateTable("services")
      .set({ ...touchValues(now, expiresAt), [column]: sql`${sql.ref(column)} + 1` })
      .where("id", "=", key)
      .returning(column)
      .executeTakeFirst();
    return row === undefined ? null : Number(row[column]) - 1;
  }

  async delete(id: string): Promise<boolean> {
    const key = dbId(id);
    if (key === null) return false;
    await this.db.deleteFrom("tasks").where("service_id", "=", key).execute();
    await this.db.deleteFrom("states").where("service_id", "=", key).execute();
    const result = await this.db.deleteFrom("services").where("id", "=", key).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async purge(selection: PurgeSelection, limit: number): Promise<number> {
    let chosen = this.db.selectFrom("services").select("id").where("started_at", "<", selection.startedBefore);
    if (selection.which === "started") chosen = chosen.where("completed_at", "is", null);
    if (selection.which === "completed") chosen = chosen.where("completed_at", "is not", null);
    if (selection.anonymousOnly) chosen = chosen.where("customer_id", "is", null);
    const ids = (await chosen.orderBy("id").limit(limit).execute()).map((r) => int(r.id));
    if (ids.length === 0) return 0;
    await this.db.deleteFrom("tasks").where("service_id", "in", ids).execute();
    await this.db.deleteFrom("states").where("service_id", "in", ids).execute();
    await this.db.deleteFrom("services").where("id", "in", ids).execute();
    return ids.length;
  }

  async exportPage(f: ExportFilter, afterId: number | null, limit: number): Promise<Service[]> {
    let query = this.db.selectFrom("services").select(f.withExtensions ? SERVICE_COLUMNS : SERVICE_COLUMNS_BUT_EXTENSIONS);
    if (afterId !== null) query = query.where("id", ">", afterId);
    const startedIn = (eb: ExpressionBuilder<Database, "services">) => eb.and([eb("started_at", ">=", f.from), eb("started_at", "<", f.to)]);
    const completedIn = (eb: ExpressionBuilder<Database, "services">) => eb.and([eb("completed_at", ">=", f.from), eb("completed_at", "<", f.to)]);
    if (f.events === "started") query = query.where(startedIn);
    else if (f.events === "completed") query = query.where(completedIn);
    else query = query.where((eb) => eb.or([startedIn(eb), completedIn(eb)]));
    if (f.state === "active") query = query.where("completed_at", "is", null);
    if (f.state === "inactive") query = query.where("completed_at", "is not", null);
    const rows = await query.orderBy("id").limit(limit).execute();
    return rows.map((row) => toService({ ...row, extensions: "extensions" in row ? row.extensions : "{}" }));
  }

  async deleteByCustomer(customerId: string): Promise<number> {
    const ids = this.db.selectFrom("services").select("id").where("customer_id", "=", customerId);
    await this.db.deleteFrom("tasks").where("service_id", "in", ids).execute();
    await this.db.deleteFrom("states").where("service_id", "in", ids).execute();
    const result = await this.db.deleteFrom("services").where("customer_id", "=", customerId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async reassignCustomer(from: string, to: string): Promise<number> {
    const result = await this.db.updateTable("services").set({ customer_id: to }).where("customer_id", "=", from).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async dueForAutoComplete(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("services")
      .select("id")
      .where("completed_at", "is", null)
      .where("auto_complete_at", "<=", now)
      .orderBy("auto_complete_at")
      .limit(limit)
      .execute();
    return rows.map((r) => String(r.id));
  }

  async expired(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom("services").select("id").where("expires_at", "<=", now).orderBy("expires_at").limit(limit).execute();
    return rows.map((r) => String(r.id));
  }
}

/** Activity moves the auto-complete deadline and, unless ttl/expiration_time pinned it, the expiry. */
function touchValues(now: number, expiresAt: number) {
  return {
    updated_at: now,
    auto_complete_at: sql<number | null>`case when auto_complete_after is null then null else ${now} + auto_complete_after * 1000 end`,
    expires_at: sql<number>`case when expiry_pinned = 1 then expires_at else ${expiresAt} end`,
  };
}

/** The characters of a row's text columns: what the cache sizes it by. */
function textLength(row: ServiceRow): number {
  return (
    row.started.length +
    (row.completed?.length ?? 0) +
    (row.extensions?.length ?? 0) +
    (row.service_type?.length ?? 0) +
    (row.customer_id?.length ?? 0) +
    (row.contact_key?.length ?? 0)
  );
}

function toService(row: Pick<Selectable<ServicesTable>, (typeof SERVICE_COLUMNS)[number]>): Service {
  return {
    id: String(row.id),
    customerId: row.customer_id,
    contactKey: row.contact_key,
    type: row.service_type === null ? null : (JSON.parse(row.service_type) as Json),
    started: parseJsonObject(row.started),
    completed: row.completed === null ? null : parseJsonObject(row.completed),
    extensions: parseJsonObject(row.extensions),
    startedAt: int(row.started_at),
    completedAt: row.completed_at === null ? null : int(row.completed_at),
    updatedAt: int(row.updated_at),
    autoCompleteAfter: row.auto_complete_after === null ? null : int(row.auto_complete_after),
    expiresAt: int(row.expires_at),
    expiryPinned: row.expiry_pinned === 1,
  };
}

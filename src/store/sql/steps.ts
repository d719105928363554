/**
 * Steps (states and tasks) in SQL. They share every column but one (`previous_state_id` on states,
 * `state_id` on tasks), so the queries are written once over `StepColumns`.
 */
import { sql, type Kysely, type Selectable } from "kysely";
import type { Json } from "../../domain/json.ts";
import { parseJsonObject } from "../../domain/json.ts";
import type { State, Status, Task } from "../../domain/journeys.ts";
import type { StepPatch, StepQuery, NewStep, StateStore, TaskStore } from "../store.ts";
import type { StepColumns, Database, StatesTable, TasksTable } from "./schema.ts";
import { dbId, int, jsonOrNull, storedBytes } from "./values.ts";

/**
 * Kysely cannot type a query over "either table"; both tables have every StepColumns column,
 * so the shared queries are typed against `states` and run against either.
 */
type StepTable = "states" | "tasks";
type Row = Selectable<StepColumns> & Partial<Selectable<StatesTable> & Selectable<TasksTable>>;

const STEP_COLUMNS_BUT_EXTENSIONS = ["service_id", "id", "type", "started", "completed", "started_at", "completed_at"] as const;

class SqlSteps {
  protected readonly db: Kysely<Database>;
  private readonly table: "states";

  constructor(db: Kysely<Database>, table: StepTable) {
    this.db = db;
    this.table = table as "states";
  }

  protected async getRow(serviceId: string, id: number): Promise<Row | undefined> {
    const key = dbId(serviceId);
    if (key === null) return undefined;
    return this.db.selectFrom(this.table).selectAll().where("service_id", "=", key).where("id", "=", id).executeTakeFirst();
  }

  protected async listRows(serviceId: string, q: StepQuery, stateColumn?: "state_id"): Promise<Row[]> {
    const key = dbId(serviceId);
    if (key === null) return [];
    let query = this.db
      .selectFrom(this.table)
      .selectAll()
      .where("service_id", "=", key)
      .$if(q.status === "active", (qb) => qb.where("completed_at", "is", null))
      .$if(q.status === "completed", (qb) => qb.where("completed_at", "is not", null));
    if (q.types !== undefined) query = query.where("type", "in", q.types);
    if (q.stateId !== undefined && stateColumn !== undefined) {
      query = query.where(stateColumn as "previous_state_id", "=", q.stateId);
    }
    return query.orderBy("id").execute();
  }

  protected async listRowsForServices(serviceIds: string[], status: Status, withExtensions = true): Promise<Row[]> {
    const keys = serviceIds.map(dbId).filter((k): k is number => k !== null);
    if (keys.length === 0) return [];
    const own = this.table === "states" ? "previous_state_id" : ("state_id" as "previous_state_id");
    const rows = await this.ofServices(keys, status)
      .select([...STEP_COLUMNS_BUT_EXTENSIONS, own])
      .select(withExtensions ? sql<string>`extensions`.as("extensions") : sql<string>`'{}'`.as("extensions"))
      .orderBy("service_id")
      .orderBy("id")
      .execute();
    return rows as Row[];
  }

  async bytesForServices(serviceIds: string[], status: Status, withExtensions = true): Promise<number> {
    const keys = serviceIds.map(dbId).filter((k): k is number => k !== null);
    if (keys.length === 0) return 0;
    const bytes = storedBytes(["started", "completed", ...(withExtensions ? ["extensions"] : [])]);
    const row = await this.ofServices(keys, status).select(sql<number | string | null>`sum(${bytes})`.as("total")).executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  private ofServices(keys: number[], status: Status) {
    return this.db
      .selectFrom(this.table)
      .where("service_id", "in", keys)
      .$if(status === "active", (qb) => qb.where("completed_at", "is", null))
      .$if(status === "completed", (qb) => qb.where("completed_at", "is not", null));
  }

  async update(serviceId: string, id: number, p: StepPatch): Promise<boolean> {
    const key = dbId(serviceId);
    if (key === null) return false;
    const values: { completed?: string; completed_at?: number; extensions?: string } = {};
    if (p.completed !== undefined) values.completed = JSON.stringify(p.completed);
    if (p.completedAt !== undefined) values.completed_at = p.completedAt;
    if (p.extensions !== undefined) values.extensions = JSON.stringify(p.extensions);
    let query = this.db.updateTable(this.table).set(values).where("service_id", "=", key).where("id", "=", id);
    // Completing is a guarded write: it changes nothing unless the step is still active.
    if (p.completed !== undefined) query = query.where("completed_at", "is", null);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async completeAllActive(serviceId: string, completed: Record<string, Json>, at: number): Promise<number> {
    const key = dbId(serviceId);
    if (key === null) return 0;
    const result = await this.db
      .updateTable(this.table)
      .set({ completed: JSON.stringify(completed), completed_at: at })
      .where("service_id", "=", key)
      .where("completed_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  protected async findActiveRowByType(serviceId: string, type: Json, stateId?: number | null): Promise<Row | undefined> {
    const key = dbId(serviceId);
    if (key === null) return undefined;
    const encoded = jsonOrNull(type);
    let query = this.db
      .selectFrom(this.table)
      .selectAll()
      .where("service_id", "=", key)
      .where("completed_at", "is", null)
      .where((eb) => (encoded === null ? eb("type", "is", null) : eb("type", "=", encoded)));
    if (stateId !== undefined) {
      const column = "state_id" as "previous_state_id";
      query = query.where((eb) => (stateId === null ? eb(column, "is", null) : eb(column, "=", stateId)));
    }
    return query.orderBy("id", "desc").executeTakeFirst();
  }

  protected insertRow(id: number, step: NewStep, extra: { previous_state_id: number | null } | { state_id: number | null }) {
    const key = dbId(step.serviceId);
    if (key === null) throw new Error(`invalid service id ${step.serviceId}`);
    return this.db
      .insertInto(this.table)
      .values({
        service_id: key,
        id,
        type: jsonOrNull(step.type),
        started: JSON.stringify(step.started),
        extensions: JSON.stringify(step.extensions),
        started_at: step.startedAt,
        ...(extra as { previous_state_id: number | null }),
      })
      .execute();
  }
}

export class SqlStateStore extends SqlSteps implements StateStore {
  constructor(db: Kysely<Database>) {
    super(db, "states");
  }
  async insert(id: number, s: NewStep & { previousStateId: number | null }): Promise<void> {
    await this.insertRow(id, s, { previous_state_id: s.previousStateId });
  }
  async get(serviceId: string, id: number): Promise<State | null> {
    const row = await this.getRow(serviceId, id);
    return row === undefined ? null : toState(row);
  }
  async list(serviceId: string, q: StepQuery): Promise<State[]> {
    return (await this.listRows(serviceId, q)).map(toState);
  }
  async listForServices(serviceIds: string[], status: Status, withExtensions?: boolean): Promise<State[]> {
    return (await this.listRowsForServices(serviceIds, status, withExtensions)).map(toState);
  }
  async findActiveByType(serviceId: string, type: Json): Promise<State | null> {
    const row = await this.findActiveRowByType(serviceId, type);
    return row === undefined ? null : toState(row);
  }
}

export class SqlTaskStore extends SqlSteps implements TaskStore {
  constructor(db: Kysely<Database>) {
    super(db, "tasks");
  }
  async insert(id: number, t: NewStep & { stateId: number | null }): Promise<void> {
    await this.insertRow(id, t, { state_id: t.stateId });
  }
  async get(serviceId: string, id: number): Promise<Task | null> {
    const row = await this.getRow(serviceId, id);
    return row === undefined ? null : toTask(row);
  }
  async list(serviceId: string, q: StepQuery): Promise<Task[]> {
    return (await this.listRows(serviceId, q, "state_id")).map(toTask);
  }
  async listForServices(serviceIds: string[], status: Status, withExtensions?: boolean): Promise<Task[]> {
    return (await this.listRowsForServices(serviceIds, status, withExtensions)).map(toTask);
  }
  async findActiveByType(serviceId: string, type: Json, stateId: number | null): Promise<Task | null> {
    const row = await this.findActiveRowByType(serviceId, type, stateId);
    return row === undefined ? null : toTask(row);
  }
}

function stepFields(row: Row) {
  return {
    serviceId: String(row.service_id),
    id: row.id,
    type: row.type === null ? null : (JSON.parse(row.type) as Json),
    started: parseJsonObject(row.started),
    completed: row.completed === null ? null : parseJsonObject(row.completed),
    extensions: parseJsonObject(row.extensions),
    startedAt: int(row.started_at),
    completedAt: row.completed_at === null ? null : int(row.completed_at),
  };
}

function toState(row: Row): State {
  return { ...stepFields(row), previousStateId: row.previous_state_id ?? null };
}

function toTask(row: Row): Task {
  return { ...stepFields(row), stateId: row.state_id ?? null };
}

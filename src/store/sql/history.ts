/**
 * Contact history in SQL. The ids and dates that queries use are columns; the rest of the
 * resource travels as one JSON document; content is kept apart and read only on demand.
 */
import { sql, type Kysely, type Selectable } from "kysely";
import type { HistoryEntry, HistoryContentKind, NewHistoryEntry } from "../../domain/history.ts";
import { parseJsonObject, type JsonObject } from "../../domain/json.ts";
import type { HistoryStore } from "../store.ts";
import type { Database, InteractionsTable } from "./schema.ts";
import { int } from "./values.ts";

/** Everything of an HistoryEntry that is not a column or content travels as one JSON document. */
type ResourceDoc = Omit<HistoryEntry, "id" | "customerId" | "serviceId" | "startDate" | "udata" | "contents" | "structuredTextMime">;

type SummaryRow = Pick<Selectable<InteractionsTable>, "id" | "customer_id" | "service_id" | "resource" | "udata" | "start_date" | "structured_text_mime"> & {
  has_plain_text: number;
  has_structured_text: number;
  has_binary_content: number;
};

export class SqlHistoryStore implements HistoryStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async insert(i: NewHistoryEntry): Promise<void> {
    const { id, customerId, serviceId, startDate, udata, content, ...doc } = i;
    const resource: ResourceDoc = doc;
    await this.db
      .insertInto("interactions")
      .values({
        id,
        customer_id: customerId,
        service_id: serviceId,
        resource: JSON.stringify(resource),
        udata: JSON.stringify(udata),
        start_date: startDate,
        plain_text: content.plainText,
        structured_text: content.structuredText,
        structured_text_mime: content.structuredTextMime,
        binary_content: content.binaryContent,
        binary_content_mime: content.binaryContentMime,
      })
      .execute();
  }

  async get(id: string): Promise<HistoryEntry | null> {
    const row = await this.summaries().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toInteraction(row);
  }

  listByCustomer(customerId: string, limit: number): Promise<HistoryEntry[]> {
    return this.listBy("customer_id", customerId, limit);
  }

  listByService(serviceId: string, limit: number): Promise<HistoryEntry[]> {
    return this.listBy("service_id", serviceId, limit);
  }

  private async listBy(column: "customer_id" | "service_id", value: string, limit: number): Promise<HistoryEntry[]> {
    const rows = await this.summaries().where(column, "=", value).orderBy("start_date").orderBy("id").limit(limit).execute();
    return rows.map(toInteraction);
  }

  /** The resource columns, and whether each content exists, without reading the content. */
  private summaries() {
    return this.db
      .selectFrom("interactions")
      .select(["id", "customer_id", "service_id", "resource", "udata", "start_date", "structured_text_mime"])
      .select(sql<number>`case when plain_text is null then 0 else 1 end`.as("has_plain_text"))
      .select(sql<number>`case when structured_text is null then 0 else 1 end`.as("has_structured_text"))
      .select(sql<number>`case when binary_content is null then 0 else 1 end`.as("has_binary_content"));
  }

  async deleteByCustomer(customerId: string): Promise<number> {
    const result = await this.db.deleteFrom("interactions").where("customer_id", "=", customerId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async reassignCustomer(from: string, to: string): Promise<number> {
    const result = await this.db.updateTable("interactions").set({ customer_id: to }).where("customer_id", "=", from).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async deleteStartedBefore(before: number, limit: number): Promise<number> {
    // A bounded batch, oldest first: a sweep never holds the database for long.
    const oldest = this.db.selectFrom("interactions").select("id").where("start_date", "<", before).orderBy("start_date").limit(limit);
    const result = await this.db.deleteFrom("interactions").where("id", "in", oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async content(id: string, kind: HistoryContentKind): Promise<{ body: string | Uint8Array; mime: string } | null> {
    const row = await this.db
      .selectFrom("interactions")
      .select(["plain_text", "structured_text", "structured_text_mime", "binary_content", "binary_content_mime"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) return null;
    if (kind === "plain_text") return row.plain_text === null ? null : { body: row.plain_text, mime: "text/plain; charset=utf-8" };
    if (kind === "structured_text") {
      if (row.structured_text === null) return null;
      return { body: row.structured_text, mime: row.structured_text_mime ?? "text/xml" };
    }
    if (row.binary_content === null) return null;
    return { body: row.binary_content, mime: row.binary_content_mime ?? "application/octet-stream" };
  }
}

function toInteraction(row: SummaryRow): HistoryEntry {
  const doc = parseJsonObject(row.resource) as unknown as ResourceDoc;
  return {
    id: row.id,
    customerId: row.customer_id,
    serviceId: row.service_id,
    ...doc,
    startDate: int(row.start_date),
    udata: parseJsonObject(row.udata) as JsonObject,
    contents: contentsOf(row),
    structuredTextMime: row.structured_text_mime,
  };
}

function contentsOf(row: SummaryRow): HistoryContentKind[] {
  const kinds: HistoryContentKind[] = [];
  if (Number(row.has_plain_text) === 1) kinds.push("plain_text");
  if (Number(row.has_structured_text) === 1) kinds.push("structured_text");
  if (Number(row.has_binary_content) === 1) kinds.push("binary_content");
  return kinds;
}

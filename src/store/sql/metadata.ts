/** Context Services metadata (extension schemas, identification keys), in SQL. */
import type { Kysely } from "kysely";
import type { JsonObject } from "../../domain/json.ts";
import type { MetadataKind, MetadataStore } from "../store.ts";
import type { Database } from "./schema.ts";
import { int } from "./values.ts";

export class SqlMetadataStore implements MetadataStore {
  private readonly db: Kysely<Database>;
  private readonly isUniqueViolation: (err: unknown) => boolean;

  constructor(db: Kysely<Database>, isUniqueViolation: (err: unknown) => boolean) {
    this.db = db;
    this.isUniqueViolation = isUniqueViolation;
  }

  async insert(kind: MetadataKind, name: string, body: JsonObject, createdAt: number): Promise<boolean> {
    try {
      await this.db
        .insertInto("cs_metadata")
        .values({ kind, name: name.toLowerCase(), body: JSON.stringify(body), created_at: createdAt })
        .execute();
      return true;
    } catch (err) {
      if (this.isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async get(kind: MetadataKind, name: string): Promise<{ body: JsonObject; createdAt: number } | null> {
    const row = await this.db.selectFrom("cs_metadata").selectAll().where("kind", "=", kind).where("name", "=", name.toLowerCase()).executeTakeFirst();
    return row === undefined ? null : { body: JSON.parse(row.body) as JsonObject, createdAt: int(row.created_at) };
  }

  async list(kind: MetadataKind): Promise<{ body: JsonObject; createdAt: number }[]> {
    const rows = await this.db.selectFrom("cs_metadata").selectAll().where("kind", "=", kind).orderBy("created_at").orderBy("name").execute();
    return rows.map((row) => ({ body: JSON.parse(row.body) as JsonObject, createdAt: int(row.created_at) }));
  }

  async delete(kind: MetadataKind, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("cs_metadata").where("kind", "=", kind).where("name", "=", name.toLowerCase()).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

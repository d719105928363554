/** Context Services metadata created through the API: profile extension schemas and identification keys. */
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int8 = dialect === "postgres" ? "bigint" : "integer";
  await db.schema
    .createTable("cs_metadata")
    /** `extension` or `identification-key`. */
    .addColumn("kind", "text", (c) => c.notNull())
    /** Lower-cased: schema names are case-insensitive. */
    .addColumn("name", "text", (c) => c.notNull())
    /** The schema as JSON. */
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", int8, (c) => c.notNull())
    .addPrimaryKeyConstraint("cs_metadata_pk", ["kind", "name"])
    .execute();
}

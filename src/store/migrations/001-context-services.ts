/** Context Services: services, states, tasks, customer profiles and contact history. */
import { sql, type Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === "postgres";
  const int8 = pg ? "bigint" : "integer";

  await db.schema
    .createTable("services")
    .addColumn("id", int8, (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn("customer_id", "text")
    .addColumn("contact_key", "text")
    .addColumn("service_type", "text")
    .addColumn("started", "text", (c) => c.notNull())
    .addColumn("completed", "text")
    .addColumn("extensions", "text", (c) => c.notNull())
    .addColumn("started_at", int8, (c) => c.notNull())
    .addColumn("completed_at", int8)
    .addColumn("updated_at", int8, (c) => c.notNull())
    .addColumn("auto_complete_after", int8)
    .addColumn("auto_complete_at", int8)
    .addColumn("expires_at", int8, (c) => c.notNull())
    .addColumn("expiry_pinned", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_state_id", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("next_task_id", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  // Partial indexes: a row costs an index write only where the index can find it.
  await db.schema
    .createIndex("services_customer")
    .on("services")
    .columns(["customer_id", "started_at"])
    .where(sql.ref("customer_id"), "is not", null)
    .execute();
  await db.schema
    .createIndex("services_contact_key")
    .on("services")
    .columns(["contact_key", "started_at"])
    .where(sql.ref("contact_key"), "is not", null)
    .execute();
  await db.schema.createIndex("services_auto_complete").on("services").column("auto_complete_at").where(sql.ref("auto_complete_at"), "is not", null).execute();
  await db.schema.createIndex("services_expiry").on("services").column("expires_at").execute();

  for (const table of ["states", "tasks"] as const) {
    await db.schema
      .createTable(table)
      .addColumn("service_id", int8, (c) => c.notNull())
      .addColumn("id", "integer", (c) => c.notNull())
      .addColumn(table === "states" ? "previous_state_id" : "state_id", "integer")
      .addColumn("type", "text")
      .addColumn("started", "text", (c) => c.notNull())
      .addColumn("completed", "text")
      .addColumn("extensions", "text", (c) => c.notNull())
      .addColumn("started_at", int8, (c) => c.notNull())
      .addColumn("completed_at", int8)
      .addPrimaryKeyConstraint(`${table}_pk`, ["service_id", "id"])
      .execute();
  }

  await db.schema
    .createTable("customers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("attributes", "text", (c) => c.notNull())
    .addColumn("extensions", "text", (c) => c.notNull())
    .addColumn("created_at", int8, (c) => c.notNull())
    .addColumn("updated_at", int8, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("customer_keys")
    .addColumn("customer_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_keys_pk", ["name", "value", "customer_id"])
    .execute();
  await db.schema.createIndex("customer_keys_customer").on("customer_keys").column("customer_id").execute();

  await db.schema
    .createTable("interactions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("customer_id", "text")
    .addColumn("service_id", "text")
    .addColumn("resource", "text", (c) => c.notNull())
    .addColumn("udata", "text", (c) => c.notNull())
    .addColumn("start_date", int8, (c) => c.notNull())
    .addColumn("plain_text", "text")
    .addColumn("structured_text", "text")
    .addColumn("structured_text_mime", "text")
    .addColumn("binary_content", pg ? sql`bytea` : "blob")
    .addColumn("binary_content_mime", "text")
    .execute();
  await db.schema.createIndex("interactions_customer").on("interactions").columns(["customer_id", "start_date"]).execute();
  await db.schema.createIndex("interactions_service").on("interactions").columns(["service_id", "start_date"]).execute();
}

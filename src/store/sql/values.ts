/** Small conversions between column values and domain values, shared by the SQL stores. */
import { sql, type RawBuilder } from "kysely";
import type { Json } from "../../domain/json.ts";

/** PostgreSQL int8 may arrive as a string; times and ids always fit a double. */
export function int(value: number | string): number {
  return typeof value === "number" ? value : Number(value);
}

/**
 * Service ids are accepted in URLs as any string; only a decimal that fits the column can name a
 * row. Anything else names nothing (and must never reach PostgreSQL as a bigint literal).
 */
export function dbId(id: string): number | null {
  if (!/^\d{1,16}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}

export function jsonOrNull(value: Json | undefined): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Bytes stored in these text columns of a row: `octet_length` (SQLite 3.43+ and PostgreSQL)
 * reads the stored length without decoding the text, so sizing a huge result costs little.
 */
export function storedBytes(columns: readonly string[]): RawBuilder<number> {
  const terms = columns.map((column) => sql`coalesce(octet_length(${sql.ref(column)}), 0)`);
  return sql<number>`${sql.join(terms, sql` + `)}`;
}

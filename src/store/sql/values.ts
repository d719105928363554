/** Small conversions between column values and domain values, shared by the SQL stores. */
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

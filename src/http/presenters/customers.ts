/** Customer profiles as UCS presents them: a flat object, extensions only when asked for. */
import type { Customer } from "../../domain/customers.ts";
import type { JsonObject } from "../../domain/json.ts";
import { selectExtensions, type NameSet } from "../../domain/journeys.ts";

export function presentCustomer(c: Customer, extensions: NameSet): JsonObject {
  return { customer_id: c.id, ...c.attributes, ...selectExtensions(c.extensions, extensions) };
}

/** Parses `extensions=a,b` (or `*`) for profiles; nothing when absent. */
export function profileExtensionNames(raw: string | undefined): NameSet {
  const names = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.includes("*") ? "all" : new Set(names);
}

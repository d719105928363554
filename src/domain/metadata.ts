/**
 * Context Services metadata (reference 2.21, 2.22): business attributes (from the config file),
 * profile extension schemas and identification keys (created through the API). Pure rules: what
 * a valid schema is, which identification key a search uses, whether a business-attribute field
 * holds one of its values, which extension record a unique key picks.
 */
import { invalidInput } from "./errors.ts";
import type { Json, JsonObject } from "./json.ts";

interface BusinessAttributeValue {
  name: string;
  dbid: string;
  display_name: string;
  description: string;
}

/** A business attribute as GMS shows it; `cv_attributes` are the CS fields it types (`Service.type`). */
export interface BusinessAttribute {
  name: string;
  dbid: string;
  display_name: string;
  description: string;
  map_name: boolean;
  cv_attributes: string[];
  values: BusinessAttributeValue[];
}

/** The CS fields a business attribute can type besides `type` (which is `service_type` on a Service, ...). */
const BA_FIELDS: Record<string, string> = {
  media_type: "media_type",
  disposition: "disposition",
  application_type: "application_type",
  resource_type: "resource_type",
};

export type Entity = "Service" | "State" | "Task";

/** The body field `Entity.attr` names (`Service.type` → `service_type`). */
function fieldOf(entity: Entity, attr: string): string | null {
  if (attr === "type") return `${entity.toLowerCase()}_type`;
  return BA_FIELDS[attr] ?? null;
}

/**
 * Refuses a business-attribute field whose value is none of its attribute's values (by name or
 * by dbid, as a number or a string). Fields no attribute types are not checked.
 */
export function checkBusinessAttributes(entity: Entity, fields: JsonObject, attributes: readonly BusinessAttribute[]): void {
  for (const ba of attributes) {
    for (const cv of ba.cv_attributes) {
      const [owner, attr] = cv.split(".");
      if (owner !== entity || attr === undefined) continue;
      const field = fieldOf(entity, attr);
      if (field === null || !(field in fields)) continue;
      const value = fields[field];
      if (value === null || value === undefined) continue;
      const text = typeof value === "number" || typeof value === "string" ? String(value) : null;
      if (text !== null && ba.values.some((v) => v.name === text || v.dbid === text)) continue;
      const allowed = ba.values
        .slice(0, 10)
        .map((v) => `${v.name} (${v.dbid})`)
        .join(", ");
      throw invalidInput(`${field}: not a value of business attribute ${ba.name}: one of ${allowed}${ba.values.length > 10 ? ", ..." : ""}`);
    }
  }
}

type ExtensionType = "single-valued" | "multi-valued";

export interface ExtensionSchema {
  name: string;
  type: ExtensionType;
  attributes: { name: string; type: string; length?: number; default?: Json }[];
  /** Attributes that pick one record (by/unique operations). */
  unique: string[];
}

export interface IdentificationKeySchema {
  name: string;
  /** Profile attributes (or `extension.attribute`) the key searches by, most significant first. */
  attributes: string[];
  /** Ascending creation order: ties go to the oldest key. */
  id: number;
}

const SCHEMA_NAME = /^[A-Za-z][A-Za-z0-9_]{0,25}$/;
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63})?$/;

/** Create Profile Extension Schema (CV.WS.PROF.META.4): name of at most 26, type, attributes, unique. */
export function parseExtensionSchema(body: JsonObject): ExtensionSchema {
  const { name, type, attributes, unique } = body;
  if (typeof name !== "string" || !SCHEMA_NAME.test(name)) throw invalidInput("name: a letter, then letters, digits or _, at most 26 characters");
  if (type !== "single-valued" && type !== "multi-valued") throw invalidInput("type: single-valued or multi-valued");
  if (!Array.isArray(attributes) || attributes.length === 0 || attributes.length > 200) throw invalidInput("attributes: 1 to 200 of {name, type}");
  const parsed = attributes.map((a, i) => {
    if (typeof a !== "object" || a === null || Array.isArray(a) || typeof a.name !== "string" || !ATTRIBUTE.test(a.name)) {
      throw invalidInput(`attributes[${i}].name: letters, digits or _`);
    }
    const out: ExtensionSchema["attributes"][number] = { name: a.name, type: typeof a.type === "string" ? a.type : "string" };
    if (typeof a.length === "number") out.length = a.length;
    if (a.default !== undefined) out.default = a.default;
    return out;
  });
  const names = new Set(parsed.map((a) => a.name));
  const uniqueNames = unique === undefined ? [] : unique;
  if (!Array.isArray(uniqueNames) || !uniqueNames.every((u): u is string => typeof u === "string" && names.has(u))) {
    throw invalidInput("unique: names of the schema's attributes");
  }
  return { name, type, attributes: parsed, unique: uniqueNames };
}

/** Create Identification Key: a name and the attributes it searches by (`attributes`, or UCS's `index`). */
export function parseIdentificationKey(body: JsonObject, id: number): IdentificationKeySchema {
  const { name } = body;
  const attributes = body.attributes ?? body.index;
  if (typeof name !== "string" || !SCHEMA_NAME.test(name)) throw invalidInput("name: a letter, then letters, digits or _, at most 26 characters");
  if (
    !Array.isArray(attributes) ||
    attributes.length === 0 ||
    attributes.length > 16 ||
    !attributes.every((a): a is string => typeof a === "string" && ATTRIBUTE.test(a))
  ) {
    throw invalidInput("attributes: 1 to 16 attribute names (Name or extension.Name)");
  }
  return { name, attributes, id };
}

/**
 * The key Identify Customer searches with (reference 2.22): `id_key` when given; else the first
 * key (by id) whose attributes are all supplied; else the one supplying the longest prefix of
 * its attributes, the oldest on a tie. Null when no key has its first attribute supplied.
 */
export function chooseIdentificationKey(
  keys: readonly IdentificationKeySchema[],
  supplied: ReadonlySet<string>,
  idKey?: string,
): IdentificationKeySchema | null {
  if (idKey !== undefined) {
    const named = keys.find((k) => k.name.toLowerCase() === idKey.toLowerCase());
    if (named === undefined) throw invalidInput(`id_key: there is no identification key ${idKey}`);
    return named;
  }
  const ordered = [...keys].sort((a, b) => a.id - b.id);
  const complete = ordered.find((k) => k.attributes.every((a) => supplied.has(a)));
  if (complete !== undefined) return complete;
  let best: IdentificationKeySchema | null = null;
  let bestScore = 0;
  for (const key of ordered) {
    let score = 0;
    for (const attribute of key.attributes) {
      if (!supplied.has(attribute)) break;
      score++;
    }
    if (score > bestScore) {
      best = key;
      bestScore = score;
    }
  }
  return best;
}

/** The index of the record whose unique attributes equal those of `record`; -1 when none does. */
export function findByUnique(records: readonly JsonObject[], unique: readonly string[], record: JsonObject): number {
  for (const u of unique) if (!(u in record)) throw invalidInput(`${u}: required, it picks the record (a unique attribute)`);
  return records.findIndex((r) => unique.every((u) => JSON.stringify(r[u]) === JSON.stringify(record[u])));
}

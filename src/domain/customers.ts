/**
 * Customer profiles (UCS part of Context Services): attributes, extensions, identification.
 * Pure rules; no I/O.
 */
import { invalidInput } from "./errors.ts";
import type { Json, JsonObject } from "./json.ts";

export interface Customer {
  id: string;
  /** Profile attributes: a string (or scalar) or, multi-valued, an array whose first item is primary. */
  attributes: JsonObject;
  /** Extensions: an object (single-valued) or an array of objects (multi-valued). */
  extensions: JsonObject;
  createdAt: number;
  updatedAt: number;
}

/** One searchable (name, value) pair of a profile; identification looks these up. */
export interface IdentificationKey {
  name: string;
  value: string;
}

/** UCS contact ids are at most 16 characters (`0004Va58A92T0017`). */
export const CUSTOMER_ID_MAX = 16;

/** Query parameters of Identify Customer that are not search values. */
export const IDENTIFY_CONTROL = new Set(["id_key", "include_profile", "extensions", "include_extensions"]);

/**
 * Splits a profile body: objects and arrays of objects are extensions (single- or multi-valued),
 * anything else is an attribute. UCS takes this from its schema; parley has none, so the shape decides.
 */
export function splitProfile(body: JsonObject): { attributes: JsonObject; extensions: JsonObject } {
  const attributes: JsonObject = {};
  const extensions: JsonObject = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === "customer_id") continue;
    if (isExtensionValue(value)) extensions[name] = value;
    else attributes[name] = checkAttribute(name, value);
  }
  return { attributes, extensions };
}

function isExtensionValue(value: Json): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
  return typeof value === "object" && value !== null;
}

function checkAttribute(name: string, value: Json): Json {
  if (value === null) return value;
  if (Array.isArray(value) && value.every(isScalar)) return value;
  if (isScalar(value)) return value;
  throw invalidInput(`${name}: a profile attribute is a value or a list of values`);
}

function isScalar(value: Json): boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Searchable values one profile may hold (each is a row and an index entry). */
const IDENTIFICATION_VALUES_MAX = 1000;

/**
 * Every (name, value) a profile can be identified by: each attribute value (each item of a
 * multi-valued one) and each scalar field of an extension as `ext.field`. At most
 * IDENTIFICATION_VALUES_MAX of them.
 */
export function identificationKeys(attributes: JsonObject, extensions: JsonObject): IdentificationKey[] {
  const keys = dedupe(searchableValues(attributes, extensions));
  if (keys.length > IDENTIFICATION_VALUES_MAX) {
    throw invalidInput(`a profile may hold at most ${IDENTIFICATION_VALUES_MAX} attribute and extension values, this one has ${keys.length}`);
  }
  return keys;
}

function searchableValues(attributes: JsonObject, extensions: JsonObject): IdentificationKey[] {
  const keys: IdentificationKey[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isScalar(item)) keys.push({ name, value: String(item) });
    }
  }
  for (const [ext, value] of Object.entries(extensions)) {
    for (const record of Array.isArray(value) ? value : [value]) {
      if (typeof record !== "object" || record === null || Array.isArray(record)) continue;
      for (const [field, v] of Object.entries(record)) {
        if (isScalar(v)) keys.push({ name: `${ext}.${field}`, value: String(v) });
      }
    }
  }
  return keys;
}

function dedupe(keys: IdentificationKey[]): IdentificationKey[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = `${k.name}\u0000${k.value}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

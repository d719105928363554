/** Customer profiles and identification (the UCS part of Context Services). */
import { accessCustomer } from "../access/customers.ts";
import { CUSTOMER_ID_MAX, identificationKeys, splitProfile, type Customer, type IdentificationKey } from "../domain/customers.ts";
import { AppError, invalidInput, notFound } from "../domain/errors.ts";
import { newUcsId } from "../domain/history.ts";
import type { JsonObject } from "../domain/json.ts";
import { profileKey } from "../domain/last-agent.ts";
import { UniqueViolation } from "../store/store.ts";
import { chooseIdentificationKey, findByUnique } from "../domain/metadata.ts";
import type { ActionContext } from "./context.ts";
import { getExtensionSchema, listIdentificationKeys } from "./metadata.ts";

/** How many customers one identification returns at most. */
const IDENTIFY_LIMIT = 100;

/** Create Customer Profile: returns the id given (at most 16 characters) or a generated one. */
export async function createCustomer(ctx: ActionContext, body: JsonObject): Promise<string> {
  const id = body.customer_id ?? newUcsId();
  if (typeof id !== "string" || id.length === 0 || id.length > CUSTOMER_ID_MAX) {
    throw invalidInput(`customer_id: a string of 1 to ${CUSTOMER_ID_MAX} characters`);
  }
  const { attributes, extensions } = splitProfile(body);
  const now = ctx.now();
  const customer: Customer = { id, attributes, extensions, createdAt: now, updatedAt: now };
  try {
    const keys = identificationKeys(attributes, extensions);
    await ctx.store.transaction((tx) => tx.customers.insert(customer, keys));
  } catch (err) {
    if (err instanceof UniqueViolation) throw new AppError("invalid_state", `customer_id: ${id} already exists`);
    throw err;
  }
  return id;
}

export async function getCustomer(ctx: ActionContext, id: string): Promise<Customer> {
  return accessCustomer(ctx.store, id);
}

/**
 * Update Customer Profile: replaces every attribute (those left out are dropped); extensions
 * are replaced only when the body carries some.
 */
export async function updateCustomer(ctx: ActionContext, id: string, body: JsonObject) {
  const { attributes, extensions } = splitProfile(body);
  await ctx.store.transaction(async (tx) => {
    const customer = await accessCustomer(tx, id);
    const next: Customer = {
      ...customer,
      attributes,
      extensions: Object.keys(extensions).length > 0 ? extensions : customer.extensions,
      updatedAt: ctx.now(),
    };
    await tx.customers.update(next, identificationKeys(next.attributes, next.extensions));
  });
}

/** Insert Extension Records: replaces the records of the extensions named in the body. */
export async function putCustomerExtensions(ctx: ActionContext, id: string, body: JsonObject) {
  const { attributes, extensions } = splitProfile(body);
  const [stray] = Object.keys(attributes);
  if (stray !== undefined) throw invalidInput(`${stray}: an extension is an object or a list of objects`);
  await ctx.store.transaction(async (tx) => {
    const customer = await accessCustomer(tx, id);
    const next: Customer = { ...customer, extensions: { ...customer.extensions, ...extensions }, updatedAt: ctx.now() };
    await tx.customers.update(next, identificationKeys(next.attributes, next.extensions));
  });
}

/**
 * Identify Customer: the customers matching every given attribute (`LastName=Doe&ext.attr=v`).
 * With identification keys defined, one key is chosen (`id_key`, or the documented rule) and
 * only its attributes are matched; without any, every given attribute is.
 */
export async function identifyCustomers(ctx: ActionContext, given: IdentificationKey[], idKey?: string): Promise<Customer[]> {
  if (given.length === 0) throw invalidInput("give at least one attribute to identify the customer by");
  let criteria = given;
  const keys = await listIdentificationKeys(ctx);
  if (keys.length > 0) {
    const key = chooseIdentificationKey(keys, new Set(given.map((c) => c.name)), idKey);
    if (key === null)
      throw invalidInput(`no identification key uses the attributes given: keys are ${keys.map((k) => `${k.name} (${k.attributes.join(", ")})`).join("; ")}`);
    criteria = given.filter((c) => key.attributes.includes(c.name));
  }
  const ids = await ctx.store.customers.identify(criteria, IDENTIFY_LIMIT);
  const customers = await Promise.all(ids.map((id) => ctx.store.customers.get(id)));
  return customers.filter((c): c is Customer => c !== null);
}

/**
 * Erasure (beyond GMS): the customer, their services with states, tasks and extensions, their
 * extension records and their contact history, in one transaction. Nothing of it is kept;
 * interactions still being worked keep going, no longer linked to anyone.
 */
export async function eraseCustomer(ctx: ActionContext, id: string): Promise<{ services: number; interactions: number }> {
  return ctx.store.transaction(async (tx) => {
    await accessCustomer(tx, id);
    const services = await tx.services.deleteByCustomer(id);
    const interactions = await tx.history.deleteByCustomer(id);
    await tx.agentInteractions.reassignCustomer(id, null);
    await tx.lastAgents.forget(profileKey(id));
    await tx.customers.delete(id);
    return { services, interactions };
  });
}

/**
 * Merge Profiles (UCS): the source's services, contact history and extension records move to
 * the target, which keeps its own attributes, gains those it lacks and joins multi-valued ones;
 * then the source is deleted (it answers 404 from then on). One transaction.
 */
export async function mergeCustomers(ctx: ActionContext, targetId: string, sourceId: string): Promise<void> {
  if (targetId === sourceId) throw invalidInput("a profile cannot be merged into itself");
  await ctx.store.transaction(async (tx) => {
    const target = await accessCustomer(tx, targetId);
    const source = await accessCustomer(tx, sourceId);
    await tx.services.reassignCustomer(sourceId, targetId);
    await tx.history.reassignCustomer(sourceId, targetId);
    await tx.agentInteractions.reassignCustomer(sourceId, targetId);
    await tx.customers.delete(sourceId);
    const merged: Customer = {
      ...target,
      attributes: joinLists(target.attributes, source.attributes),
      extensions: joinLists(target.extensions, source.extensions),
      updatedAt: ctx.now(),
    };
    await tx.customers.update(merged, identificationKeys(merged.attributes, merged.extensions));
  });
}

/**
 * Multi-valued attributes and extensions (lists) are joined, the target's first and no value
 * twice, so the merged customer is found by either's email; a single value the target has stays.
 */
function joinLists<T extends Record<string, unknown>>(target: T, source: T): T {
  const out: Record<string, unknown> = { ...target };
  for (const [name, records] of Object.entries(source)) {
    const mine = out[name];
    if (mine === undefined) out[name] = records;
    else if (Array.isArray(mine) && Array.isArray(records)) {
      const seen = new Set(mine.map((r) => JSON.stringify(r)));
      out[name] = [...mine, ...records.filter((r) => !seen.has(JSON.stringify(r)))];
    }
  }
  return out as T;
}

/**
 * Update or delete one record of a profile extension, picked by the unique attributes of the
 * extension's schema (`PUT /profiles/{id}/extensions/{ext}/by/unique`, `.../delete/by/unique`).
 */
export async function changeExtensionRecord(ctx: ActionContext, id: string, extension: string, record: JsonObject, change: "update" | "delete"): Promise<void> {
  const schema = await getExtensionSchema(ctx, extension);
  if (schema === null || schema.unique.length === 0) {
    throw invalidInput(`${extension}: no extension schema with unique attributes; create one with POST /metadata/profiles/extensions`);
  }
  await ctx.store.transaction(async (tx) => {
    const customer = await accessCustomer(tx, id);
    const stored = customer.extensions[extension];
    const records = (Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored]) as JsonObject[];
    const at = findByUnique(records, schema.unique, record);
    if (at < 0) throw notFound(`${extension}: customer ${id} has no record with these unique attributes`);
    const next = change === "delete" ? records.filter((_, i) => i !== at) : records.map((r, i) => (i === at ? { ...r, ...record } : r));
    const extensions = { ...customer.extensions };
    const [first] = next;
    if (first === undefined) delete extensions[extension];
    else extensions[extension] = Array.isArray(stored) ? next : first;
    const updated: Customer = { ...customer, extensions, updatedAt: ctx.now() };
    await tx.customers.update(updated, identificationKeys(updated.attributes, updated.extensions));
  });
}

/** Customer profiles and identification (the UCS part of Context Services). */
import { accessCustomer } from "../access/customers.ts";
import { CUSTOMER_ID_MAX, identificationKeys, splitProfile, type Customer, type IdentificationKey } from "../domain/customers.ts";
import { AppError, invalidInput } from "../domain/errors.ts";
import { newUcsId } from "../domain/interactions.ts";
import type { JsonObject } from "../domain/json.ts";
import { UniqueViolation } from "../store/store.ts";
import type { ActionContext } from "./context.ts";

/** How many customers one identification returns at most. */
export const IDENTIFY_LIMIT = 100;

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

/** Identify Customer: the customers matching every given attribute (`LastName=Doe&ext.attr=v`). */
export async function identifyCustomers(ctx: ActionContext, criteria: IdentificationKey[]): Promise<Customer[]> {
  if (criteria.length === 0) throw invalidInput("give at least one attribute to identify the customer by");
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
    const interactions = await tx.interactions.deleteByCustomer(id);
    await tx.agentInteractions.reassignCustomer(id, null);
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
    await tx.interactions.reassignCustomer(sourceId, targetId);
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

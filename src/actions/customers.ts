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

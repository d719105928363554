/** Loading a customer profile or a history interaction: the one place deciding who may see it. */
import type { Customer } from "../domain/customers.ts";
import { notFound } from "../domain/errors.ts";
import type { HistoryEntry } from "../domain/history.ts";
import type { Store } from "../store/store.ts";

export async function accessCustomer(store: Store, id: string): Promise<Customer> {
  const customer = await store.customers.get(id);
  if (customer === null) throw notFound(`There is no customer profile found for : ${id}`);
  return customer;
}

export async function accessHistoryEntry(store: Store, id: string): Promise<HistoryEntry> {
  const interaction = await store.history.get(id);
  if (interaction === null) throw notFound(`There is no interaction found for : ${id}`);
  return interaction;
}

/**
 * Contact history: recording an entry for an interaction that has ended, and reading entries
 * back (Query Interactions, seed 002). An agent interaction that ends records its entry in its
 * own transaction (actions/agent-interactions.ts); recordHistoryEntry is for the rest (tests).
 */
import { accessHistoryEntry } from "../access/customers.ts";
import { notFound } from "../domain/errors.ts";
import { newUcsId, type HistoryContentKind, type HistoryEntry, type NewHistoryEntry } from "../domain/history.ts";
import type { ActionContext } from "./context.ts";

/** How many entries one history query returns at most (oldest first). */
const HISTORY_LIMIT = 1000;

export type HistoryEntryInput = Omit<NewHistoryEntry, "id"> & { id?: string };

/** Records one entry (an ended interaction) in the contact history; returns its id. */
export async function recordHistoryEntry(ctx: ActionContext, input: HistoryEntryInput): Promise<string> {
  const id = input.id ?? newUcsId();
  await ctx.store.transaction((tx) => tx.history.insert({ ...input, id }));
  return id;
}

/** One history entry by id (Query Interaction by ID). */
export async function getHistoryEntry(ctx: ActionContext, id: string): Promise<HistoryEntry> {
  return accessHistoryEntry(ctx.store, id);
}

/** A customer's contact history, oldest first. */
export async function customerHistory(ctx: ActionContext, customerId: string): Promise<HistoryEntry[]> {
  return ctx.store.history.listByCustomer(customerId, HISTORY_LIMIT);
}

/** The contact history of one service, oldest first. */
export async function serviceHistory(ctx: ActionContext, serviceId: string): Promise<HistoryEntry[]> {
  return ctx.store.history.listByService(serviceId, HISTORY_LIMIT);
}

/** One kind of content of a history entry (a chat's transcript as text or XML, for instance). */
export async function historyContent(ctx: ActionContext, id: string, kind: HistoryContentKind) {
  await accessHistoryEntry(ctx.store, id);
  const content = await ctx.store.history.content(id, kind);
  if (content === null) throw notFound(`interaction ${id} has no ${kind}`);
  return content;
}

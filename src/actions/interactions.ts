/**
 * Contact history: recording an interaction that has ended (chat and other media call this)
 * and reading it back (Query Interactions, seed 002).
 */
import { accessInteraction } from "../access/customers.ts";
import { notFound } from "../domain/errors.ts";
import { newUcsId, type Interaction, type InteractionContentKind, type NewInteraction } from "../domain/interactions.ts";
import type { ActionContext } from "./context.ts";

/** How many interactions one history query returns at most (oldest first). */
export const HISTORY_LIMIT = 1000;

export type RecordInteractionInput = Omit<NewInteraction, "id"> & { id?: string };

/** Records one interaction in the contact history; returns its id. */
export async function recordInteraction(ctx: ActionContext, input: RecordInteractionInput): Promise<string> {
  const id = input.id ?? newUcsId();
  await ctx.store.transaction((tx) => tx.history.insert({ ...input, id }));
  return id;
}

export async function getInteraction(ctx: ActionContext, id: string): Promise<Interaction> {
  return accessInteraction(ctx.store, id);
}

export async function customerInteractions(ctx: ActionContext, customerId: string): Promise<Interaction[]> {
  return ctx.store.history.listByCustomer(customerId, HISTORY_LIMIT);
}

export async function serviceInteractions(ctx: ActionContext, serviceId: string): Promise<Interaction[]> {
  return ctx.store.history.listByService(serviceId, HISTORY_LIMIT);
}

export async function interactionContent(ctx: ActionContext, id: string, kind: InteractionContentKind) {
  await accessInteraction(ctx.store, id);
  const content = await ctx.store.history.content(id, kind);
  if (content === null) throw notFound(`interaction ${id} has no ${kind}`);
  return content;
}

/**
 * Context Services maintenance (reference 2.20): Purge Services, and Export Services to a JSON
 * stream read page by page, so an export's memory does not grow with the number of services.
 */
import { invalidInput } from "../domain/errors.ts";
import type { ExtensionSelector, ServiceView } from "../domain/journeys.ts";
import type { ExportFilter, PurgeSelection } from "../store/store.ts";
import type { ActionContext } from "./context.ts";
import { withSteps } from "./services.ts";

export const PURGE_OPERATIONS: Record<string, Omit<PurgeSelection, "startedBefore">> = {
  "purge.service.all": { which: "all", anonymousOnly: false },
  "purge.service.started": { which: "started", anonymousOnly: false },
  "purge.service.started.anonymous": { which: "started", anonymousOnly: true },
  "purge.service.completed": { which: "completed", anonymousOnly: false },
  "purge.service.completed.anonymous": { which: "completed", anonymousOnly: true },
};

/** Services one purge transaction deletes; a purge runs as many as it needs. */
const PURGE_BATCH = 1000;
/** Services one export page reads. */
const EXPORT_PAGE = 500;

/** Purge Services: every service the operation selects that started before `limit`, with its states and tasks. */
export async function purgeServices(ctx: ActionContext, startedBefore: number, operation: string): Promise<number> {
  const selection = PURGE_OPERATIONS[operation];
  if (selection === undefined) throw invalidInput(`operation: one of ${Object.keys(PURGE_OPERATIONS).join(", ")}`);
  let purged = 0;
  for (;;) {
    const deleted = await ctx.store.transaction((tx) => tx.services.purge({ ...selection, startedBefore }, PURGE_BATCH));
    purged += deleted;
    if (deleted < PURGE_BATCH) return purged;
  }
}

const EVERYTHING: ExtensionSelector = { service: "all", state: "all", task: "all" };

/**
 * Export Services: the matching services by ascending id, one page at a time (with their states
 * and tasks and every extension when `withContent`), as the consumer asks for them.
 */
export async function* exportServices(ctx: ActionContext, filter: Omit<ExportFilter, "withExtensions">, withContent: boolean): AsyncGenerator<ServiceView[]> {
  let afterId: number | null = null;
  for (;;) {
    const page = await ctx.store.services.exportPage({ ...filter, withExtensions: withContent }, afterId, EXPORT_PAGE);
    const last = page.at(-1);
    if (last === undefined) return;
    afterId = Number(last.id);
    if (!withContent) yield page.map((service) => ({ service }));
    else {
      const flags = { activeStates: true, completedStates: true, activeTasks: true, completedTasks: true };
      yield await withSteps(ctx, page, flags, EVERYTHING, 0);
    }
    if (page.length < EXPORT_PAGE) return;
  }
}

export { EVERYTHING as EXPORT_SELECTOR };

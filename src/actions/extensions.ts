/** Update (replace) and Merge Extension Data on a service, a state or a task. */
import { accessService, accessState, accessTask } from "../access/journeys.ts";
import { invalidInput } from "../domain/errors.ts";
import type { Json } from "../domain/json.ts";
import { checkExtensionName, mergeExtension, type Extensions } from "../domain/journeys.ts";
import type { Store } from "../store/store.ts";
import { defaultExpiry, type ActionContext } from "./context.ts";

/** Which entity an extension belongs to. */
export type ExtensionOwner =
  | { kind: "service"; serviceId: string }
  | { kind: "state"; serviceId: string; id: number }
  | { kind: "task"; serviceId: string; id: number };

export type ExtensionMode = "replace" | "merge";

/** Replaces an extension's value (any JSON), or merges an object into it. */
export async function updateExtension(ctx: ActionContext, owner: ExtensionOwner, name: string, value: Json | undefined, mode: ExtensionMode) {
  if (value === undefined) throw invalidInput("body: the extension value (any JSON) is required");
  checkExtensionName(name, value);
  await ctx.store.transaction(async (tx) => {
    const service = await accessService(tx, owner.serviceId, { lock: true });
    const current = await currentExtensions(tx, owner, service.extensions);
    const next = mode === "merge" ? mergeExtension(current[name], value, name) : value;
    await writeExtensions(tx, owner, { ...current, [name]: next });
    const now = ctx.now();
    await tx.services.touch(owner.serviceId, now, defaultExpiry(ctx, now));
  });
}

async function currentExtensions(tx: Store, owner: ExtensionOwner, ofService: Extensions): Promise<Extensions> {
  if (owner.kind === "service") return ofService;
  if (owner.kind === "state") return (await accessState(tx, owner.serviceId, owner.id)).extensions;
  return (await accessTask(tx, owner.serviceId, owner.id)).extensions;
}

/** Writes a whole extensions map back to its owner (inside the caller's transaction). */
export async function writeExtensions(tx: Store, owner: ExtensionOwner, extensions: Extensions) {
  if (owner.kind === "service") await tx.services.update(owner.serviceId, { extensions });
  else if (owner.kind === "state") await tx.states.update(owner.serviceId, owner.id, { extensions });
  else await tx.tasks.update(owner.serviceId, owner.id, { extensions });
}

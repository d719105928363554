/**
 * Reading a start or end event body for an action: its documented fields, own fields and
 * extensions (domain/journeys.ts), with the business-attribute fields checked against the
 * configured business attributes (when an attribute types the field).
 */
import type { JsonObject } from "../domain/json.ts";
import { splitEvent, type Kind, type SplitEvent } from "../domain/journeys.ts";
import { checkBusinessAttributes, type Entity } from "../domain/metadata.ts";
import type { ActionContext } from "./context.ts";

const ENTITY: Record<Kind, Entity> = { service: "Service", state: "State", task: "Task" };

export function readEvent(ctx: ActionContext, body: JsonObject, kind: Kind, phase: "start" | "end"): SplitEvent {
  const split = splitEvent(body, kind, phase);
  if (ctx.cs.businessAttributes.length > 0) checkBusinessAttributes(ENTITY[kind], { ...split.event, ...split.own }, ctx.cs.businessAttributes);
  return split;
}

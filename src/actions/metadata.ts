/**
 * Context Services metadata: business attributes (read-only, from the config file), profile
 * extension schemas and identification keys (created, read and deleted through the API).
 */
import { AppError, notFound } from "../domain/errors.ts";
import type { JsonObject } from "../domain/json.ts";
import {
  parseExtensionSchema,
  parseIdentificationKey,
  type BusinessAttribute,
  type ExtensionSchema,
  type IdentificationKeySchema,
} from "../domain/metadata.ts";
import type { MetadataKind } from "../store/store.ts";
import type { ActionContext } from "./context.ts";

/** All business attributes, or those typing a CS field (`?cv-attribute=Service.type`). */
export function listBusinessAttributes(ctx: ActionContext, cvAttribute?: string): readonly BusinessAttribute[] {
  const all = ctx.cs.businessAttributes;
  return cvAttribute === undefined ? all : all.filter((ba) => ba.cv_attributes.includes(cvAttribute));
}

export function getBusinessAttribute(ctx: ActionContext, name: string): BusinessAttribute {
  const found = ctx.cs.businessAttributes.find((ba) => ba.name === name);
  if (found === undefined) throw notFound(`There is no business attribute ${name}`);
  return found;
}

const LABEL: Record<MetadataKind, string> = { extension: "extension schema", "identification-key": "identification key" };

async function create(ctx: ActionContext, kind: MetadataKind, name: string, body: JsonObject): Promise<void> {
  const created = await ctx.store.transaction((tx) => tx.metadata.insert(kind, name, body, ctx.now()));
  if (!created) throw new AppError("invalid_state", `name: the ${LABEL[kind]} ${name} exists`);
}

export async function createExtensionSchema(ctx: ActionContext, body: JsonObject): Promise<ExtensionSchema> {
  const schema = parseExtensionSchema(body);
  await create(ctx, "extension", schema.name, schema as unknown as JsonObject);
  return schema;
}

export async function createIdentificationKey(ctx: ActionContext, body: JsonObject): Promise<IdentificationKeySchema> {
  const key = parseIdentificationKey(body, ctx.now());
  await create(ctx, "identification-key", key.name, { name: key.name, attributes: key.attributes });
  return key;
}

export async function listExtensionSchemas(ctx: ActionContext): Promise<ExtensionSchema[]> {
  return (await ctx.store.metadata.list("extension")).map((m) => m.body as unknown as ExtensionSchema);
}

export async function getExtensionSchema(ctx: ActionContext, name: string): Promise<ExtensionSchema | null> {
  return ((await ctx.store.metadata.get("extension", name))?.body as unknown as ExtensionSchema | undefined) ?? null;
}

/** Identification keys, each with its creation order as `id` (ties in Identify go to the oldest). */
export async function listIdentificationKeys(ctx: ActionContext): Promise<IdentificationKeySchema[]> {
  return (await ctx.store.metadata.list("identification-key")).map((m, i) => ({ ...(m.body as unknown as Omit<IdentificationKeySchema, "id">), id: i + 1 }));
}

export async function getMetadata(ctx: ActionContext, kind: MetadataKind, name: string): Promise<JsonObject> {
  const found = await ctx.store.metadata.get(kind, name);
  if (found === null) throw notFound(`There is no ${LABEL[kind]} ${name}`);
  return found.body;
}

export async function deleteMetadata(ctx: ActionContext, kind: MetadataKind, name: string): Promise<void> {
  const deleted = await ctx.store.transaction((tx) => tx.metadata.delete(kind, name));
  if (!deleted) throw notFound(`There is no ${LABEL[kind]} ${name}`);
}

/** Query Profile Schema: the extension schemas and identification keys (parley has no fixed attribute list). */
export async function profileSchema(ctx: ActionContext): Promise<JsonObject> {
  return {
    attributes: [],
    extensions: (await listExtensionSchemas(ctx)) as unknown as JsonObject[],
    identification_keys: (await listIdentificationKeys(ctx)).map((k) => ({ name: k.name, attributes: k.attributes })),
  };
}

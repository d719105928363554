/** Context Services metadata: business attributes, profile schema, extension schemas, identification keys. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as metadata from "../../actions/metadata.ts";
import type { MetadataKind } from "../../store/store.ts";
import * as S from "./schemas.ts";
import { bodyObject, type RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

const tags = ["Context Services: metadata"];

export function registerMetadataRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.get<{ Querystring: Static<typeof S.BusinessAttributeQuery> }>(
    "/metadata/business-attributes",
    { schema: { tags, summary: "Query Business Attribute Schema (all, or by cv-attribute)", querystring: S.BusinessAttributeQuery } },
    async (request) => metadata.listBusinessAttributes(ctx, request.query["cv-attribute"]),
  );
  app.get<{ Params: Static<typeof S.NameParams> }>(
    "/metadata/business-attributes/:name",
    { schema: { tags, summary: "Query Business Attribute Schema by name", params: S.NameParams } },
    async (request) => metadata.getBusinessAttribute(ctx, request.params.name),
  );
  app.get("/metadata/profiles", { schema: { tags, summary: "Query Profile Schema" } }, async () => metadata.profileSchema(ctx));

  const collections: [string, MetadataKind, string][] = [
    ["/metadata/profiles/extensions", "extension", "Profile Extension Schema"],
    ["/metadata/identification-keys", "identification-key", "Identification Key"],
  ];
  for (const [path, kind, what] of collections) {
    app.post(path, { schema: { tags, summary: `Create ${what}`, body: S.AnyObject } }, async (request, reply) => {
      const created =
        kind === "extension"
          ? await metadata.createExtensionSchema(ctx, bodyObject(request))
          : await metadata.createIdentificationKey(ctx, bodyObject(request));
      reply.header("location", absoluteUrl(request, publicUrl, `${csBase}${path}/${encodeURIComponent(created.name)}`));
      return reply.code(201).send(created);
    });
    app.get(path, { schema: { tags, summary: `Query ${what}s` } }, async () =>
      kind === "extension"
        ? metadata.listExtensionSchemas(ctx)
        : (await metadata.listIdentificationKeys(ctx)).map(({ name, attributes }) => ({ name, attributes })),
    );
    app.get<{ Params: Static<typeof S.NameParams> }>(`${path}/:name`, { schema: { tags, summary: `Query ${what}`, params: S.NameParams } }, async (request) =>
      metadata.getMetadata(ctx, kind, request.params.name),
    );
    app.delete<{ Params: Static<typeof S.NameParams> }>(
      `${path}/:name`,
      { schema: { tags, summary: `Delete ${what}`, params: S.NameParams } },
      async (request, reply) => {
        await metadata.deleteMetadata(ctx, kind, request.params.name);
        return reply.code(204).send();
      },
    );
  }
}

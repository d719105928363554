/** Context Services (UCS part): customer profiles and identification. */
import type { FastifyInstance } from "fastify";
import Type, { type Static } from "typebox";
import * as customers from "../../actions/customers.ts";
import { IDENTIFY_CONTROL, type IdentificationKey } from "../../domain/customers.ts";
import { presentCustomer, profileExtensionNames } from "../presenters/customers.ts";
import { bodyObject, type RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

const tags = ["Context Services: customer profiles"];
const Params = Type.Object({ cid: Type.String({ minLength: 1, maxLength: 64 }) });
const ExtensionParams = Type.Object({ cid: Type.String({ minLength: 1, maxLength: 64 }), ext: Type.String({ minLength: 1, maxLength: 128 }) });
const MergeParams = Type.Object({ cid: Type.String({ minLength: 1, maxLength: 64 }), source: Type.String({ minLength: 1, maxLength: 64 }) });
/** UCS's merge body: accepted, recorded nowhere (parley keeps no audit trail of merges yet). */
const MergeBody = Type.Object(
  {
    agent_id: Type.Optional(Type.String({ maxLength: 255 })),
    force_merge: Type.Optional(Type.Boolean()),
    reason: Type.Optional(Type.String({ maxLength: 1024 })),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: true },
);
const ProfileBody = Type.Object({ customer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })) }, { additionalProperties: true });
const ProfileQuery = Type.Object({ extensions: Type.Optional(Type.String({ maxLength: 4096 })) });
/** Identify Customer: control parameters plus any `Attribute=value` (or `ext.attr=value`) pairs. */
const IdentifyQuery = Type.Object(
  {
    id_key: Type.Optional(Type.String({ maxLength: 255 })),
    include_profile: Type.Optional(Type.Union([Type.Literal("yes"), Type.Literal("no"), Type.Literal("true"), Type.Literal("false")])),
    extensions: Type.Optional(Type.String({ maxLength: 4096 })),
    include_extensions: Type.Optional(Type.Union([Type.Literal("always"), Type.Literal("unique")])),
  },
  { additionalProperties: Type.Union([Type.String({ maxLength: 1024 }), Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1 })]), maxProperties: 32 },
);
type IdentifyQuery = Static<typeof IdentifyQuery> & Record<string, string | string[] | undefined>;

export function registerCustomerRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.post("/profiles", { schema: { tags, summary: "Create Customer Profile", body: ProfileBody } }, async (request, reply) => {
    const id = await customers.createCustomer(ctx, bodyObject(request));
    reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/profiles/${encodeURIComponent(id)}`));
    return reply.code(201).send({ customer_id: id });
  });

  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof ProfileQuery> }>(
    "/profiles/:cid",
    { schema: { tags, summary: "Query Customer Profile", params: Params, querystring: ProfileQuery } },
    async (request) => {
      const customer = await customers.getCustomer(ctx, request.params.cid);
      return presentCustomer(customer, profileExtensionNames(request.query.extensions));
    },
  );

  app.put<{ Params: Static<typeof Params> }>(
    "/profiles/:cid",
    { schema: { tags, summary: "Update Customer Profile (replaces attributes)", params: Params, body: ProfileBody } },
    async (request, reply) => {
      await customers.updateCustomer(ctx, request.params.cid, bodyObject(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof Params> }>(
    "/profiles/:cid/extensions",
    { schema: { tags, summary: "Insert Extension Records", params: Params, body: Type.Object({}, { additionalProperties: true }) } },
    async (request, reply) => {
      await customers.putCustomerExtensions(ctx, request.params.cid, bodyObject(request));
      return reply.code(200).send();
    },
  );

  for (const [suffix, change, summary] of [
    ["by/unique", "update", "Update Record in Profile Extension (picked by its unique attributes)"],
    ["delete/by/unique", "delete", "Delete Record From Profile Extension (picked by its unique attributes)"],
  ] as const) {
    app.put<{ Params: Static<typeof ExtensionParams> }>(
      `/profiles/:cid/extensions/:ext/${suffix}`,
      { schema: { tags, summary, params: ExtensionParams, body: Type.Object({}, { additionalProperties: true }) } },
      async (request, reply) => {
        await customers.changeExtensionRecord(ctx, request.params.cid, request.params.ext, bodyObject(request), change);
        return reply.code(204).send();
      },
    );
  }

  app.delete<{ Params: Static<typeof Params> }>(
    "/profiles/:cid",
    { schema: { tags, summary: "Erase a customer: profile, services, extension records, contact history (beyond GMS)", params: Params } },
    async (request, reply) => {
      await customers.eraseCustomer(ctx, request.params.cid);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: Static<typeof MergeParams> }>(
    "/profiles/:cid/merge/:source",
    {
      schema: {
        tags,
        summary: "Merge Profiles: the source's services, history and extension records move here",
        params: MergeParams,
        body: Type.Optional(MergeBody),
      },
    },
    async (request, reply) => {
      await customers.mergeCustomers(ctx, request.params.cid, request.params.source);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: IdentifyQuery }>("/profiles", { schema: { tags, summary: "Identify Customer", querystring: IdentifyQuery } }, async (request) => {
    const q = request.query;
    const found = await customers.identifyCustomers(ctx, criteriaOf(q));
    const full = q.include_profile === "yes" || q.include_profile === "true";
    if (!full) return found.map((c) => ({ customer_id: c.id }));
    const withExtensions = q.include_extensions !== "unique" || found.length === 1;
    const names = withExtensions ? profileExtensionNames(q.extensions) : new Set<string>();
    return found.map((c) => presentCustomer(c, names));
  });
}

function criteriaOf(query: IdentifyQuery): IdentificationKey[] {
  const keys: IdentificationKey[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (IDENTIFY_CONTROL.has(name) || value === undefined) continue;
    keys.push({ name, value: Array.isArray(value) ? (value[0] ?? "") : value });
  }
  return keys;
}

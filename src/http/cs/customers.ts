/** Context Services (UCS part): customer profiles and identification. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as customers from "../../actions/customers.ts";
import { IDENTIFY_CONTROL, type IdentificationKey } from "../../domain/customers.ts";
import type { NameSet } from "../../domain/journeys.ts";
import { presentCustomer } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import { bodyObject, type RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

const tags = ["Context Services: customer profiles"];

export function registerCustomerRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  app.post("/profiles", { schema: { tags, summary: "Create Customer Profile", body: S.ProfileBody } }, async (request, reply) => {
    const id = await customers.createCustomer(ctx, bodyObject(request));
    reply.header("location", absoluteUrl(request, publicUrl, `${csBase}/profiles/${encodeURIComponent(id)}`));
    return reply.code(201).send({ customer_id: id });
  });

  app.get<{ Params: Static<typeof S.CustomerParams>; Querystring: Static<typeof S.ProfileQuery> }>(
    "/profiles/:cid",
    { schema: { tags, summary: "Query Customer Profile", params: S.CustomerParams, querystring: S.ProfileQuery } },
    async (request) => {
      const customer = await customers.getCustomer(ctx, request.params.cid);
      return presentCustomer(customer, profileExtensionNames(request.query.extensions));
    },
  );

  app.put<{ Params: Static<typeof S.CustomerParams> }>(
    "/profiles/:cid",
    { schema: { tags, summary: "Update Customer Profile (replaces attributes)", params: S.CustomerParams, body: S.ProfileBody } },
    async (request, reply) => {
      await customers.updateCustomer(ctx, request.params.cid, bodyObject(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof S.CustomerParams> }>(
    "/profiles/:cid/extensions",
    { schema: { tags, summary: "Insert Extension Records", params: S.CustomerParams, body: S.AnyObject } },
    async (request, reply) => {
      await customers.putCustomerExtensions(ctx, request.params.cid, bodyObject(request));
      return reply.code(200).send();
    },
  );

  for (const [suffix, change, summary] of [
    ["by/unique", "update", "Update Record in Profile Extension (picked by its unique attributes)"],
    ["delete/by/unique", "delete", "Delete Record From Profile Extension (picked by its unique attributes)"],
  ] as const) {
    app.put<{ Params: Static<typeof S.CustomerExtensionParams> }>(
      `/profiles/:cid/extensions/:ext/${suffix}`,
      { schema: { tags, summary, params: S.CustomerExtensionParams, body: S.AnyObject } },
      async (request, reply) => {
        await customers.changeExtensionRecord(ctx, request.params.cid, request.params.ext, bodyObject(request), change);
        return reply.code(204).send();
      },
    );
  }

  app.delete<{ Params: Static<typeof S.CustomerParams> }>(
    "/profiles/:cid",
    { schema: { tags, summary: "Erase a customer: profile, services, extension records, contact history (beyond GMS)", params: S.CustomerParams } },
    async (request, reply) => {
      await customers.eraseCustomer(ctx, request.params.cid);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: Static<typeof S.MergeParams> }>(
    "/profiles/:cid/merge/:source",
    {
      schema: {
        tags,
        summary: "Merge Profiles: the source's services, history and extension records move here",
        params: S.MergeParams,
        body: S.MergeBody,
      },
    },
    async (request, reply) => {
      await customers.mergeCustomers(ctx, request.params.cid, request.params.source);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: S.IdentifyQuery }>("/profiles", { schema: { tags, summary: "Identify Customer", querystring: S.IdentifyQuery } }, async (request) => {
    const q = request.query;
    const found = await customers.identifyCustomers(ctx, criteriaOf(q));
    const full = q.include_profile === "yes" || q.include_profile === "true";
    if (!full) return found.map((c) => ({ customer_id: c.id }));
    const withExtensions = q.include_extensions !== "unique" || found.length === 1;
    const names = withExtensions ? profileExtensionNames(q.extensions) : new Set<string>();
    return found.map((c) => presentCustomer(c, names));
  });
}

function criteriaOf(query: S.IdentifyQuery): IdentificationKey[] {
  const keys: IdentificationKey[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (IDENTIFY_CONTROL.has(name) || value === undefined) continue;
    keys.push({ name, value: Array.isArray(value) ? (value[0] ?? "") : value });
  }
  return keys;
}

/** Parses `extensions=a,b` (or `*`) for profiles; nothing when absent. */
function profileExtensionNames(raw: string | undefined): NameSet {
  const names = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.includes("*") ? "all" : new Set(names);
}

/** Context Services (UCS part): contact history, Query Interactions (seed 002) and content; the URLs say interactions. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import * as history from "../../actions/history.ts";
import type { HistoryContentKind } from "../../domain/history.ts";
import { presentHistoryEntry } from "../../wire/context-services.ts";
import * as S from "./schemas.ts";
import type { RouteDeps } from "./shared.ts";
import { absoluteUrl } from "../urls.ts";

const tags = ["Context Services: interactions"];
const CONTENT: HistoryContentKind[] = ["plain_text", "structured_text", "binary_content"];

export function registerHistoryRoutes(app: FastifyInstance, { ctx, csBase, publicUrl }: RouteDeps): void {
  const base = (request: Parameters<typeof absoluteUrl>[0]) => absoluteUrl(request, publicUrl, `${csBase}/interactions`);

  app.get<{ Params: Static<typeof S.CustomerParams> }>(
    "/customers/:cid/interactions",
    { schema: { tags, summary: "Query Interactions of a customer", params: S.CustomerParams } },
    async (request) => {
      const list = await history.customerHistory(ctx, request.params.cid);
      return list.map((i) => presentHistoryEntry(i, base(request)));
    },
  );

  app.get<{ Params: Static<typeof S.ServiceParams> }>(
    "/services/:sid/interactions",
    { schema: { tags, summary: "Query Interactions of a service", params: S.ServiceParams } },
    async (request) => {
      const list = await history.serviceHistory(ctx, request.params.sid);
      return list.map((i) => presentHistoryEntry(i, base(request)));
    },
  );

  app.get<{ Params: Static<typeof S.HistoryParams> }>(
    "/interactions/:iid",
    { schema: { tags, summary: "Query Interaction by ID", params: S.HistoryParams } },
    async (request) => presentHistoryEntry(await history.getHistoryEntry(ctx, request.params.iid), base(request)),
  );

  for (const kind of CONTENT) {
    app.get<{ Params: Static<typeof S.HistoryParams> }>(
      `/interactions/:iid/${kind}`,
      { schema: { tags, summary: `Interaction content: ${kind}`, params: S.HistoryParams } },
      async (request, reply) => {
        const content = await history.historyContent(ctx, request.params.iid, kind);
        const body = typeof content.body === "string" ? content.body : Buffer.from(content.body);
        return reply.type(content.mime).send(body);
      },
    );
  }
}

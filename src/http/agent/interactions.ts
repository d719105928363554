/** Agent API: interactions (seed 003) and queues. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "typebox";
import * as work from "../../actions/agent-interactions.ts";
import { agentFile } from "../../actions/chat-files.ts";
import { sendAttachment } from "../attachment.ts";
import { presentWork, supervisedQueue } from "../../wire/agent-api.ts";
import * as queues from "../../actions/queues.ts";
import type { AgentInteraction } from "../../domain/agent-interactions.ts";
import type { JsonObject } from "../../domain/json.ts";
import { ok } from "./errors.ts";
import * as S from "./schemas.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: interactions"];

export function registerInteractionRoutes(app: FastifyInstance, { ctx, base }: AgentRouteDeps): void {
  /** `?fields=*`: the objects; otherwise their URIs (GWS's collection convention). */
  const list = (request: FastifyRequest<{ Querystring: Static<typeof S.ListQuery> }>, items: AgentInteraction[]) => {
    const viewer = agentOf(request).id;
    if (request.query.fields === undefined) return ok({ uris: items.map((ix) => `${base(request)}/interactions/${ix.id}`) });
    return ok({ interactions: items.map((ix) => presentWork(ix, viewer, base(request))) });
  };

  app.post<{ Body: Static<typeof S.Submission> }>(
    "/interactions",
    { schema: { tags, summary: "Submit an open-media interaction (ROLE_ADMIN)", body: S.Submission } },
    async (request) =>
      ok({ id: await work.submitInteraction(ctx, agentOf(request), { ...request.body, properties: request.body.properties as JsonObject | undefined }) }),
  );

  app.get<{ Querystring: Static<typeof S.ListQuery> }>(
    "/interactions",
    { schema: { tags, summary: "Every active interaction (supervisors, admins)", querystring: S.ListQuery } },
    async (request) => list(request, await work.allInteractions(ctx, agentOf(request))),
  );

  app.get<{ Querystring: Static<typeof S.ListQuery> }>(
    "/me/interactions",
    { schema: { tags, summary: "The caller's interactions", querystring: S.ListQuery } },
    async (request) => list(request, await work.myInteractions(ctx, agentOf(request))),
  );

  app.get<{ Params: Static<typeof S.IdParams> }>("/interactions/:id", { schema: { tags, summary: "One interaction", params: S.IdParams } }, async (request) => {
    const user = agentOf(request);
    return ok({ interaction: presentWork(await work.getWork(ctx, user, request.params.id), user.id, base(request)) });
  });

  // A file a customer attached (Chat API v2), for the agents who may read the chat: an attachment, never sniffed.
  app.get<{ Params: Static<typeof S.IdParams> & { fileId: string } }>(
    "/interactions/:id/files/:fileId",
    { schema: { tags, summary: "Download a file the customer attached to a chat" } },
    async (request, reply) => {
      const { file, bytes } = await agentFile(ctx, agentOf(request), request.params.id, request.params.fileId);
      return sendAttachment(reply, file, bytes);
    },
  );

  app.put<{ Params: Static<typeof S.IdParams>; Body: Static<typeof S.PropertiesUpdate> }>(
    "/interactions/:id",
    {
      schema: {
        tags,
        summary: "Update an interaction's attached data (involved agents) or its priority (supervisors, admins)",
        params: S.IdParams,
        body: S.PropertiesUpdate,
      },
    },
    async (request) => {
      const { properties, priority } = request.body;
      await work.updateInteraction(ctx, agentOf(request), request.params.id, { properties: properties as JsonObject | undefined, priority });
      return ok();
    },
  );

  app.post<{ Params: Static<typeof S.IdParams>; Body: Static<typeof S.Operation> }>(
    "/me/interactions/:id",
    {
      schema: {
        tags,
        summary:
          "An operation: Accept, Reject, StopProcessing, PlaceInQueue, PlaceInWorkbin, GetWorkbinContent, UpdateProperties, Transfer, StartConference, EndConference",
        params: S.IdParams,
        body: S.Operation,
      },
    },
    async (request) => ok((await work.operate(ctx, agentOf(request), request.params.id, request.body as JsonObject)) ?? {}),
  );

  app.post<{ Body: Static<typeof S.NewQueue> }>(
    "/queues",
    { schema: { tags: ["Agent API: queues"], summary: "Create a queue (ROLE_ADMIN)", body: S.NewQueue } },
    async (request) => {
      await queues.createQueue(ctx, agentOf(request), request.body);
      return ok();
    },
  );

  app.get(
    "/queues",
    {
      schema: {
        tags: ["Agent API: queues"],
        summary: "Queues; for supervisors and admins with waiting count, longest wait, agents and service levels (statistics)",
      },
    },
    async (request) => {
      const views = await queues.listQueues(ctx, agentOf(request));
      return ok({
        queues: views.map((v) => ("waiting" in v ? supervisedQueue(v, ctx.routing.policy(v.queue.name)) : { name: v.queue.name, skills: v.queue.skills })),
      });
    },
  );

  app.get<{ Params: Static<typeof S.QueueParams> }>(
    "/queues/:name/statistics",
    {
      schema: {
        tags: ["Agent API: queues"],
        summary: "One queue's standing and service levels (supervisors and admins): the last 15 minutes and today",
        params: S.QueueParams,
      },
    },
    async (request) => {
      const view = await queues.getQueueStatistics(ctx, agentOf(request), request.params.name);
      return ok({ queue: supervisedQueue(view, ctx.routing.policy(view.queue.name)) });
    },
  );
}

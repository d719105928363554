/** Context Services: Update Extension and Merge Extension Data on services, states and tasks. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "typebox";
import { updateExtension, type ExtensionMode, type ExtensionOwner } from "../../actions/extensions.ts";
import type { Json } from "../../domain/json.ts";
import * as S from "./schemas.ts";
import type { RouteDeps } from "./shared.ts";

const tags = ["Context Services: extensions"];
const MODES: [string, ExtensionMode][] = [
  ["", "replace"],
  ["/merge", "merge"],
];

export function registerExtensionRoutes(app: FastifyInstance, { ctx }: RouteDeps): void {
  for (const [suffix, mode] of MODES) {
    const summary = mode === "merge" ? "Merge Extension Data" : "Update Extension";
    app.put<{ Params: Static<typeof S.ServiceExtensionParams> }>(
      `/services/:sid/extensions/:ext${suffix}`,
      { schema: { tags, summary: `${summary} (service)`, params: S.ServiceExtensionParams, body: S.ExtensionValue } },
      async (request, reply) => {
        const owner: ExtensionOwner = { kind: "service", serviceId: request.params.sid };
        await update(request, owner, request.params.ext, mode);
        return reply.code(200).send();
      },
    );
    app.put<{ Params: Static<typeof S.StateExtensionParams> }>(
      `/services/:sid/states/:stid/extensions/:ext${suffix}`,
      { schema: { tags, summary: `${summary} (state)`, params: S.StateExtensionParams, body: S.ExtensionValue } },
      async (request, reply) => {
        const owner: ExtensionOwner = { kind: "state", serviceId: request.params.sid, id: request.params.stid };
        await update(request, owner, request.params.ext, mode);
        return reply.code(200).send();
      },
    );
    // The Update Task Extension page says POST in its heading and PUT in its table: take both.
    app.route<{ Params: Static<typeof S.TaskExtensionParams> }>({
      method: ["PUT", "POST"],
      url: `/services/:sid/tasks/:tid/extensions/:ext${suffix}`,
      schema: { tags, summary: `${summary} (task)`, params: S.TaskExtensionParams, body: S.ExtensionValue },
      handler: async (request, reply) => {
        const owner: ExtensionOwner = { kind: "task", serviceId: request.params.sid, id: request.params.tid };
        await update(request, owner, request.params.ext, mode);
        return reply.code(200).send();
      },
    });
  }

  function update(request: FastifyRequest, owner: ExtensionOwner, name: string, mode: ExtensionMode) {
    return updateExtension(ctx, owner, name, request.body as Json | undefined, mode);
  }
}

/** Agent API: administration of the server itself (administrators): backups of the embedded database. */
import type { FastifyInstance } from "fastify";
import type { Static } from "typebox";
import { backupDatabase } from "../../actions/backups.ts";
import { ok } from "./errors.ts";
import * as S from "./schemas.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

const tags = ["Agent API: administration"];

export function registerAdminRoutes(app: FastifyInstance, { ctx }: AgentRouteDeps): void {
  app.post<{ Body: Static<typeof S.Backup> }>(
    "/admin/backup",
    { schema: { tags, summary: "Back up the SQLite database (answers once the copy is complete and durable)", body: S.Backup } },
    async (request) => {
      const copy = await backupDatabase(ctx, agentOf(request), request.body?.name);
      return ok({ path: copy.path, bytes: copy.bytes });
    },
  );
}

/** Agent API: `GET /diagnostics/version`, which GWS desktops call first to learn whom they talk to. */
import type { FastifyInstance } from "fastify";
import { ok } from "./errors.ts";

export function registerDiagnosticsRoutes(app: FastifyInstance, version: string): void {
  app.get("/diagnostics/version", { schema: { tags: ["Agent API: diagnostics"], summary: "parley's version" } }, async () => ok({ version }));
}

/** Agent API: settings desktops read (GWS `/api/v2/settings/{group}`): the agent-state operations for their Not Ready menus. */
import type { FastifyInstance } from "fastify";
import * as agentState from "../../actions/agent-state.ts";
import { presentAgentStateOperation } from "../../wire/agent-api.ts";
import { ok } from "./errors.ts";
import type { AgentRouteDeps } from "./shared.ts";

export function registerSettingsRoutes(app: FastifyInstance, { ctx }: AgentRouteDeps): void {
  app.get(
    "/settings/agent-states",
    { schema: { tags: ["Agent API: me"], summary: "The agent-state operations: Ready, NotReady and the configured Not Ready reasons" } },
    async () => ok({ settings: agentState.agentStateSettings(ctx).map(presentAgentStateOperation) }),
  );
}

/** Agent API: the agents, with their state (transfer and conference targets), and for supervisors their work. */
import type { FastifyInstance } from "fastify";
import * as agents from "../../actions/agents.ts";
import { presentAgent } from "../../wire/agent-api.ts";
import { ok } from "./errors.ts";
import { agentOf, type AgentRouteDeps } from "./shared.ts";

export function registerAgentRoutes(app: FastifyInstance, { ctx }: AgentRouteDeps): void {
  app.get(
    "/agents",
    {
      schema: {
        tags: ["Agent API: users"],
        summary: "Enabled users with their state per channel; supervisors and admins also see capacity, load and interactions",
      },
    },
    async (request) => ok({ agents: (await agents.listAgents(ctx, agentOf(request))).map(presentAgent) }),
  );
}

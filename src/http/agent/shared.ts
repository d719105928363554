/** What the agent API's route modules share: their dependencies and the authenticated caller. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ActionContext } from "../../actions/context.ts";
import { AppError } from "../../domain/errors.ts";
import type { User } from "../../domain/users.ts";

export interface AgentRouteDeps {
  ctx: ActionContext;
  /** The absolute URL of `/api/v2` for this request (PUBLIC_URL, or as the client reached it). */
  base(request: FastifyRequest): string;
  /** Logout: ends the request's session (and forgets its Basic credentials), and clears the cookie. */
  endSession(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

const agents = new WeakMap<FastifyRequest, User>();

export function setAgent(request: FastifyRequest, user: User): void {
  agents.set(request, user);
}

/** The user the request authenticated as (every agent API route runs after authentication). */
export function agentOf(request: FastifyRequest): User {
  const user = agents.get(request);
  if (user === undefined) throw new AppError("unauthenticated", "authentication required");
  return user;
}

/**
 * Who may see and act on an interaction of the agent API: the one place, used by REST and
 * CometD alike. An agent sees only interactions they own, are invited to or confer on;
 * supervisors and administrators may read every one. Anyone else gets 404, not 403, so
 * existence does not leak.
 */
import { isInvolved, type AgentInteraction } from "../domain/agent-interactions.ts";
import { notFound } from "../domain/errors.ts";
import { hasRole, type User } from "../domain/users.ts";
import type { Store } from "../store/store.ts";

/** For reading: involved, or a supervisor or administrator. */
export async function accessWorkForReading(store: Store, user: User, id: string): Promise<AgentInteraction> {
  const ix = await store.agentInteractions.get(id);
  if (ix === null || !(isInvolved(ix, user.id) || hasRole(user, "ROLE_SUPERVISOR", "ROLE_ADMIN"))) throw workNotFound(id);
  return ix;
}

/** For acting as an agent: involved now (owner, invitee, conference member); locked inside a transaction. */
export async function accessWorkForActing(store: Store, user: User, id: string, options: { lock?: boolean } = { lock: true }): Promise<AgentInteraction> {
  const ix = await store.agentInteractions.get(id, options);
  if (ix === null || !isInvolved(ix, user.id)) throw workNotFound(id);
  return ix;
}

function workNotFound(id: string) {
  return notFound(`There is no interaction ${id}`);
}

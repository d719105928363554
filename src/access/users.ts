/** Who may use the agent-side administration and supervision: each check one function, used by every transport alike. */
import { forbidden } from "../domain/errors.ts";
import { hasRole, type Role, type User } from "../domain/users.ts";

export function requireRole(actor: User, ...roles: Role[]): void {
  if (!hasRole(actor, ...roles)) throw forbidden(`this needs ${roles.join(" or ")}`);
}

/**
 * Who may watch the contact center as a supervisor (the `/v2/supervisor/changes` notices on
 * /api/v2/notifications): an enabled supervisor or administrator, as their user is now.
 */
export function maySupervise(user: User | null): boolean {
  return user?.enabled === true && hasRole(user, "ROLE_SUPERVISOR", "ROLE_ADMIN");
}

/** Whether `actor` sees colleagues' work (their load and interactions), not only their state: supervisors and admins. */
export function seesAgentsWork(actor: User): boolean {
  return hasRole(actor, "ROLE_SUPERVISOR", "ROLE_ADMIN");
}

/** Who may use the agent-side administration: one check, used by REST and the CLI alike. */
import { forbidden } from "../domain/errors.ts";
import { hasRole, type Role, type User } from "../domain/users.ts";

export function requireRole(actor: User, ...roles: Role[]): void {
  if (!hasRole(actor, ...roles)) throw forbidden(`this needs ${roles.join(" or ")}`);
}

/** Whether `actor` sees colleagues' work (their load and interactions), not only their state: supervisors and admins. */
export function seesAgentsWork(actor: User): boolean {
  return hasRole(actor, "ROLE_SUPERVISOR", "ROLE_ADMIN");
}

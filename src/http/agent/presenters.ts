/** Users as the agent API presents them (GWS's user object); the password hash never leaves. */
import type { User } from "../../domain/users.ts";

export function presentUser(user: User, base: string) {
  return {
    id: user.id,
    userName: user.userName,
    firstName: user.firstName,
    lastName: user.lastName,
    roles: user.roles,
    skills: user.skills,
    capacity: user.capacity,
    enabled: user.enabled,
    path: `/users/${user.id}`,
    uri: `${base}/users/${user.id}`,
  };
}

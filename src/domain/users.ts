/**
 * Users of the agent side (GWS): agents, supervisors, administrators. Pure types and rules.
 * Role names are GWS's, kept exactly: other tools rely on them.
 */
import { invalidInput } from "./errors.ts";

export const ROLES = ["ROLE_AGENT", "ROLE_SUPERVISOR", "ROLE_ADMIN"] as const;
export type Role = (typeof ROLES)[number];

/** An interaction's channel is its media type; an agent has a capacity and a state per channel. */
export const CHANNELS = ["chat", "openmedia", "email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];
const DEFAULT_CAPACITY = 3;

export interface Skill {
  name: string;
  level: number;
}

export interface User {
  /** Opaque, assigned by parley; what `GET /api/v2/me` shows as `user.id`. */
  id: string;
  userName: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  skills: Skill[];
  /** Concurrent interactions per channel. */
  capacity: Record<Channel, number>;
  /** `scrypt$...` (see access/passwords.ts); never leaves the server. */
  passwordHash: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What an administrator sends to create or update a user (already schema-checked). */
export interface UserInput {
  userName?: string;
  firstName?: string;
  lastName?: string;
  roles?: string[];
  skills?: Skill[];
  capacity?: Partial<Record<string, number>>;
  enabled?: boolean;
}

export const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function checkRoles(roles: readonly string[]): Role[] {
  if (roles.length === 0) throw invalidInput("roles: at least one of ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN");
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) throw invalidInput(`roles: ${role} is not one of ${ROLES.join(", ")}`);
  }
  return [...new Set(roles)] as Role[];
}

export function checkSkills(skills: readonly Skill[]): Skill[] {
  const names = new Set<string>();
  for (const skill of skills) {
    if (names.has(skill.name)) throw invalidInput(`skills: ${skill.name} is listed twice`);
    names.add(skill.name);
  }
  return skills.map((s) => ({ name: s.name, level: s.level }));
}

/** Capacity per channel, defaulting each missing one. */
export function checkCapacity(capacity: Partial<Record<string, number>> = {}, base?: Record<Channel, number>): Record<Channel, number> {
  const out = { ...(base ?? defaultCapacity()) };
  for (const [channel, value] of Object.entries(capacity)) {
    if (!(CHANNELS as readonly string[]).includes(channel)) throw invalidInput(`capacity: ${channel} is not one of ${CHANNELS.join(", ")}`);
    out[channel as Channel] = value ?? DEFAULT_CAPACITY;
  }
  return out;
}

function defaultCapacity(): Record<Channel, number> {
  return Object.fromEntries(CHANNELS.map((c) => [c, DEFAULT_CAPACITY])) as Record<Channel, number>;
}

export function checkPassword(password: string): string {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw invalidInput(`password: ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  return password;
}

export function hasRole(user: User, ...roles: Role[]): boolean {
  return roles.some((r) => user.roles.includes(r));
}

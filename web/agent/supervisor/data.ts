/** What the supervisor view reads (GET /api/v2/queues, GET /api/v2/agents) and how it shows times. */
import { request } from "../../shared/http.ts";

/** The channel supervisors hear changes on (see README, CometD): re-read what `changed` names. */
export const SUPERVISOR_CHANNEL = "/v2/supervisor/changes";

export type View = "agents" | "queues";
export const CHANNELS = ["chat", "openmedia", "email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = { chat: "Chat", openmedia: "Open media", email: "Email", sms: "SMS" };

export interface QueueRow {
  name: string;
  skills: { name: string; level: number }[];
  waiting: number;
  longestWaitSeconds: number;
  agents: { qualified: number; ready: number };
}

export interface AgentRow {
  id: string;
  userName: string;
  firstName: string;
  lastName: string;
  roles: string[];
  channels: { channel: string; userState: { state: string; displayName: string; reason?: string } }[];
  capacity?: Partial<Record<string, number>>;
  load?: Partial<Record<string, number>>;
  interactions?: { id: string; mediaType: string; state: string; queue: string }[];
}

export async function readQueues(): Promise<QueueRow[]> {
  return (await request<{ queues: QueueRow[] }>("api/v2/queues")).queues;
}

export async function readAgents(): Promise<AgentRow[]> {
  return (await request<{ agents: AgentRow[] }>("api/v2/agents")).agents;
}

/** The views a `SupervisorChange` notice names; both when it names none we know. */
export function changedViews(data: unknown): View[] {
  const changed = typeof data === "object" && data !== null ? (data as { changed?: unknown }).changed : undefined;
  const views = Array.isArray(changed) ? changed.filter((v): v is View => v === "agents" || v === "queues") : [];
  return views.length === 0 ? ["agents", "queues"] : views;
}

/** Seconds as m:ss (minutes not capped: 75:03). */
export function minutesSeconds(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function displayName(agent: Pick<AgentRow, "firstName" | "lastName" | "userName">): string {
  const full = `${agent.firstName} ${agent.lastName}`.trim();
  return full === "" ? agent.userName : full;
}

/** `billing=5, french` → [{name: "billing", level: 5}, {name: "french", level: 1}]; throws a readable Error on a bad entry. */
export function parseSkills(text: string): { name: string; level: number }[] {
  const skills: { name: string; level: number }[] = [];
  for (const part of text.split(",")) {
    const entry = part.trim();
    if (entry === "") continue;
    const [name = "", level = "1", ...rest] = entry.split("=").map((s) => s.trim());
    const n = Number(level);
    if (name === "" || rest.length > 0 || !/^\d+$/.test(level) || n > 10) {
      throw new Error(`Skills: "${entry}" is not name=level (a level from 0 to 10)`);
    }
    skills.push({ name, level: n });
  }
  return skills;
}

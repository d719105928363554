/** Small formatting helpers shared by the components. */
import type { Interaction } from "../shared/agent-api.ts";

/** `mm:ss` (or `h:mm:ss` past an hour) of a duration in ms. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Time of day of an ISO timestamp, `14:03`. */
export function timeOfDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/** Who the interaction is with, from its attached data (chat form fields, profile names), else its media. */
export function customerName(ix: Interaction): string {
  const d = ix.userData;
  const first = text(d.fldnFirstName) ?? text(d.FirstName) ?? text(d.firstName);
  const last = text(d.fldnLastName) ?? text(d.LastName) ?? text(d.lastName);
  const name = [first, last].filter((p) => p !== null).join(" ");
  return name !== "" ? name : (text(d.userDisplayName) ?? text(d.nickname) ?? (ix.mediaType === "chat" ? "Chat" : "Open media"));
}

export function subject(ix: Interaction): string | null {
  return text(ix.userData.subject) ?? text(ix.userData.Subject) ?? text(ix.userData.topic);
}

export function email(ix: Interaction): string | null {
  const d = ix.userData;
  return text(d.EmailAddress) ?? text(d.email) ?? text(d.fldnEmailAddress);
}

/** A file's size from its byte count as the transcript gives it (a string): `10 bytes`, `2.4 KB`, `1.1 MB`; null when it is not a count. */
export function fileSize(bytes: string | undefined): string | null {
  const n = Number(bytes);
  if (bytes === undefined || bytes.trim() === "" || !Number.isInteger(n) || n < 0) return null;
  if (n < 1024) return n === 1 ? "1 byte" : `${n} bytes`;
  const units = ["KB", "MB", "GB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function mediaLabel(mediaType: string): string {
  return mediaType === "openmedia" ? "open media" : mediaType;
}

/**
 * What the widget keeps across a reload, in sessionStorage (this tab only), one key per service:
 * the customer's random `gms_user`, the service and chat ids, and the start form while an
 * advanced service waits for an agent. The transcript itself is not kept: after a reload it is
 * read again from the server, all of it (from position 1).
 */
import type { ServiceKind } from "../shared/chat-v1.ts";

export interface StartDetails {
  name: string;
  email: string;
  subject: string;
}

export interface SavedSession {
  gmsUser: string;
  serviceId?: string;
  kind?: ServiceKind;
  chatId?: string;
  ended?: boolean;
  details?: StartDetails;
}

const key = (service: string) => `parley.widget.${service}`;

function randomUser(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export function loadSession(service: string): SavedSession {
  try {
    const raw = sessionStorage.getItem(key(service));
    if (raw !== null) {
      const saved = JSON.parse(raw) as SavedSession;
      if (typeof saved.gmsUser === "string" && saved.gmsUser !== "") return saved;
    }
  } catch {
    // No storage (privacy mode) or a damaged entry: a fresh session.
  }
  return { gmsUser: randomUser() };
}

export function saveSession(service: string, session: SavedSession): void {
  try {
    sessionStorage.setItem(key(service), JSON.stringify(session));
  } catch {
    // Storage full or refused: the chat goes on, only a reload would lose it.
  }
}

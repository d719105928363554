/**
 * A customer's side of the GMS Chat API v1 (README "Chat API") in CometD mode: create a chat
 * service, poll an advanced one's status, open its chat with `notify_by=comet`, send, type,
 * refresh from a transcript position, disconnect. Every call names the customer's `gms_user`
 * (the service belongs to it); the entries themselves are pushed on `/_genesys` (see the widget's
 * store, which subscribes through shared/cometd.ts).
 */
import { gmsApp, request } from "./http.ts";

/** One transcript entry with its position (numbered from 1, as the server does). */
export interface ChatEntry {
  index: number;
  type: string;
  nick: string;
  text: string;
  /** Seconds from the chat's start. */
  seconds: number;
  userType: "AGENT" | "CLIENT" | string;
}

/** The chat object of replies and pushes (README "The chat object"). */
export interface ChatObject {
  chatIxnState: "CONNECTED" | "TRANSCRIPT" | "DISCONNECTED";
  chatSessionId: string;
  transcriptPosition: string;
  chatServiceMessage?: string;
  transcriptToShow?: string[][];
  startedAt?: string;
}

export type ServiceKind = "basic" | "advanced";

/** An advanced service's status (`{id}/status`, and the `a2c.advanced.service.*` pushes). */
export interface ServiceStatus {
  message: { _id: string; _status: "waiting" | "available" | string; _dialog?: string };
  tag: string;
}

/** The entries of a chat object with their positions: `transcriptPosition` is the one after the last entry shown. */
export function entriesOf(chat: ChatObject): ChatEntry[] {
  const rows = chat.transcriptToShow ?? [];
  const next = Number(chat.transcriptPosition);
  const first = next - rows.length;
  return rows.map((row, i) => ({
    index: first + i,
    type: row[0] ?? "",
    nick: row[1] ?? "",
    text: row[2] ?? "",
    seconds: Number(row[3] ?? "0") || 0,
    userType: row[4] ?? "",
  }));
}

/** The `/_genesys` push envelope. */
export interface CustomerPush {
  tag?: string;
  message?: unknown;
}

export function chatV1(gmsUser: string) {
  const base = `${encodeURIComponent(gmsApp())}/1/service`;
  const headers = { gms_user: gmsUser };
  const post = <T>(path: string, form: Record<string, string | undefined> = {}) => request<T>(`${base}/${path}`, { method: "POST", form, headers });
  return {
    /** Creates a service of `name` (`request-chat`); its id and whether it is advanced (then poll `status` before `startChat`). */
    async createService(name: string): Promise<{ id: string; kind: ServiceKind }> {
      const reply = await post<Record<string, string>>(encodeURIComponent(name), { _verbose: "true" });
      const id = reply._id;
      if (typeof id !== "string") throw new Error("The chat service did not answer an id");
      return { id, kind: "_session_comand_STATUS_URL" in reply ? "advanced" : "basic" };
    },
    status: (id: string) => post<ServiceStatus>(`${id}/status`),
    /** Opens the service's chat in CometD mode: its entries will be pushed on `/_genesys`. */
    startChat: (id: string, form: Record<string, string | undefined>) => post<ChatObject>(`${id}/ixn/chat`, { ...form, notify_by: "comet" }),
    /** The entries from `position` on (1: the whole transcript), in the reply even in CometD mode. */
    refresh: (id: string, position: number) => post<ChatObject>(`${id}/ixn/chat/refresh`, { transcriptPosition: String(position) }),
    send: (id: string, message: string) => post<ChatObject>(`${id}/ixn/chat/send`, { message }),
    startTyping: (id: string) => post<ChatObject>(`${id}/ixn/chat/startTyping`),
    stopTyping: (id: string) => post<ChatObject>(`${id}/ixn/chat/stopTyping`),
    disconnect: (id: string) => post<ChatObject>(`${id}/ixn/chat/disconnect`),
  };
}

export type ChatV1 = ReturnType<typeof chatV1>;

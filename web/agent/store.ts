/**
 * The desktop's state as signals, and everything that changes it: login, agent state, the
 * interactions with their transcripts (from REST and CometD), offers and workbins. Components
 * read the signals and call the actions; nothing else talks to the server.
 */
import { computed, signal } from "@preact/signals";
import * as api from "../shared/agent-api.ts";
import type { ChannelNotification, ChannelState, ChatMessage, Interaction, InteractionNotification, User } from "../shared/agent-api.ts";
import { type Comet, connectComet } from "../shared/cometd.ts";
import { ApiError } from "../shared/http.ts";
import { customerName } from "./format.ts";
import { playOfferSound } from "./sound.ts";

export interface WorkItem {
  interaction: Interaction;
  /** Transcript entries by index (typing notices left out), in order. */
  messages: ChatMessage[];
  /** The customer's nickname while they type. */
  typing: string | null;
  unread: number;
  /** The highest index seen, typing notices included: what is older does not change the typing indicator. */
  lastIndex: number;
  /** It ended while open (the customer left, or it was completed elsewhere): kept read-only until the agent closes it. */
  ended: boolean;
  /** A Transfer or Conference asked of another agent and not answered yet. */
  pending: Pending | null;
}

interface Pending {
  kind: "Transfer" | "Conference";
  /** Whom it was asked of. */
  name: string;
  /** StatusChange notices still to come that only acknowledge the request (the next one after them is the answer). */
  acks: number;
}

export const user = signal<User | null>(null);
/** False until the first GET /me told whether the cookie still holds a session. */
export const sessionChecked = signal(false);
export const comet = signal<Comet | null>(null);
export const channels = signal<ChannelState[]>([]);
/** Not Ready reasons: the server's list (settings/agent-states) once read, these until then or without it. */
export const reasons = signal<Array<{ reason: string; label: string }>>(
  ["Break", "Lunch", "Meeting", "Training", "Other"].map((r) => ({ reason: r, label: r })),
);
/** When each channel entered its current state (as this page saw it), epoch ms. */
export const stateSince = signal<Record<string, number>>({});
export const work = signal<Record<string, WorkItem>>({});
/** The tab the agent chose: it never moves to another interaction by itself. */
const selectedId = signal<string | null>(null);
/** Said where the panel was when the interaction the agent had open went away (nothing is selected then). */
export const selectionNote = signal<string | null>(null);
/** An interaction just accepted: its panel takes the focus once it shows (keyboard users land in the composer). */
export const focusRequest = signal<string | null>(null);
/** Interactions parked in workbins, by id. */
export const parked = signal<Record<string, Interaction>>({});
/** The last failed action, shown in a status line. */
export const lastError = signal<string | null>(null);
/** Ticks every second: elapsed times and offer countdowns read it. */
export const now = signal(Date.now());
setInterval(() => {
  now.value = Date.now();
}, 1000);

const isOffer = (ix: Interaction) => ix.state === "Invited" || ix.state === "InvitedConference";
const isActive = (ix: Interaction) => ix.state === "Accepted";
const isTab = (w: WorkItem) => w.ended || isActive(w.interaction);

export const offers = computed(() => Object.values(work.value).filter((w) => !w.ended && isOffer(w.interaction)));
/** The tabs: what is being worked, and what ended while open and is not closed yet. */
export const active = computed(() =>
  Object.values(work.value)
    .filter(isTab)
    .sort((a, b) => a.interaction.receivedDate.localeCompare(b.interaction.receivedDate)),
);
export const selected = computed(() => {
  const id = selectedId.value;
  const item = id === null ? undefined : work.value[id];
  return item !== undefined && isTab(item) ? item : null;
});
/** Working on some channel: offers may come. */
export const readySomewhere = computed(() => channels.value.some((c) => c.userState.state === "Ready"));

export const isSupervisor = computed(() => (user.value?.roles ?? []).some((r) => r === "ROLE_SUPERVISOR" || r === "ROLE_ADMIN"));

/** Runs an action; a failure is shown, not thrown. Resolves true on success. */
export async function attempt(what: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    lastError.value = null;
    return true;
  } catch (err) {
    lastError.value = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    return false;
  }
}

// ----- session -----

export async function checkSession(): Promise<void> {
  try {
    start(await api.currentUser());
  } catch {
    // No session (401) or no server: the login form.
  } finally {
    sessionChecked.value = true;
  }
}

/** Logs in; resolves with an error message for the form, or null. */
export async function logIn(userName: string, password: string): Promise<string | null> {
  try {
    start(await api.login(userName, password));
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return "Wrong username or password.";
    return err instanceof Error ? `Could not log in: ${err.message}` : "Could not log in.";
  }
}

export async function logOut(): Promise<void> {
  const c = comet.value;
  comet.value = null;
  await c?.disconnect();
  await api.logout().catch(() => {});
  user.value = null;
  work.value = {};
  touched.clear();
  leaving.clear();
  rereading.clear();
  parked.value = {};
  selectionNote.value = null;
  channels.value = [];
  selectedId.value = null;
}

function start(u: User): void {
  user.value = u;
  const c = connectComet({ path: "api/v2/notifications" });
  c.subscribe("/v2/me/channels", (data) => {
    channelNotices++;
    applyChannels((data as ChannelNotification).channels);
  });
  c.subscribe("/v2/me/interactions", (data) => applyNotification(data as InteractionNotification));
  // After every handshake (the first, a server restart, a long network drop): re-read what may have been missed.
  c.onHandshake(() => void resync());
  comet.value = c;
  api
    .notReadyReasons()
    .then((list) => {
      if (list.length > 0) reasons.value = [...list, ...(list.some((r) => r.reason === "Other") ? [] : [{ reason: "Other", label: "Other" }])];
    })
    .catch(() => {});
}

/** Counts the NewInteraction and StatusChange notifications; `touched` has the count at each interaction's last one. */
let notices = 0;
const touched = new Map<string, number>();

async function resync(): Promise<void> {
  await attempt("Reading your state", readChannels);
  await attempt("Reading your interactions", async () => {
    const since = notices;
    const list = await api.myInteractions();
    // A notification that came while the list was read is newer than the list: what it said stands.
    const newer = (id: string) => (touched.get(id) ?? 0) > since;
    const next: Record<string, WorkItem> = {};
    const nextParked: Record<string, Interaction> = {};
    for (const ix of list) {
      if (newer(ix.id)) continue;
      if (ix.state === "InWorkbin") nextParked[ix.id] = ix;
      else next[ix.id] = { ...(work.value[ix.id] ?? blank(ix)), interaction: ix };
    }
    for (const [id, item] of Object.entries(work.value)) if (newer(id) || (item.ended && next[id] === undefined)) next[id] = item;
    work.value = next;
    parked.value = { ...parked.value, ...nextParked };
    for (const { interaction: ix } of Object.values(next))
      if (ix.mediaType === "chat" && isActive(ix)) {
        // The transcript read again is what was there already: it is not unread.
        rereading.add(ix.id);
        void attempt("Reading a transcript", () => api.operate(ix.id, { operationName: "RequestChatHistory" }));
      }
  });
}

// ----- agent state -----

/** Channel notifications so far: a read that one overtook is older than what it said. */
let channelNotices = 0;

/** Reads the channels; applied unless a notification came while the read was on its way (it is newer). */
async function readChannels(): Promise<void> {
  const since = channelNotices;
  const list = await api.getChannels();
  if (channelNotices === since) applyChannels(list);
}

function applyChannels(list: ChannelState[]): void {
  const since = { ...stateSince.value };
  const before = new Map(channels.value.map((c) => [c.channel, c.userState.state]));
  for (const c of list) if (before.get(c.channel) !== c.userState.state || since[c.channel] === undefined) since[c.channel] = Date.now();
  stateSince.value = since;
  channels.value = list;
}

export function setState(ready: boolean, reason?: string, channel?: string): Promise<boolean> {
  return attempt(ready ? "Ready" : "Not Ready", async () => {
    await api.setState(ready, reason, channel);
    await readChannels();
  });
}

// ----- interactions -----

function blank(ix: Interaction): WorkItem {
  return { interaction: ix, messages: [], typing: null, unread: 0, lastIndex: 0, ended: false, pending: null };
}

/** Interactions this page asked to leave it (Complete, Place in queue or workbin, leaving a conference): their end is no surprise. */
const leaving = new Set<string>();
const LEAVES = new Set(["StopProcessing", "PlaceInQueue", "PlaceInWorkbin", "LeaveConference"]);
/** Chats whose transcript was asked for again: the next NewMessages is that history. */
const rereading = new Set<string>();

function update(id: string, change: (item: WorkItem) => WorkItem | null): void {
  const item = work.value[id];
  if (item === undefined) return;
  const next = { ...work.value };
  const changed = change(item);
  if (changed === null) {
    delete next[id];
    if (selectedId.value === id) {
      selectedId.value = null;
      selectionNote.value = `The interaction with ${customerName(item.interaction)} is closed. No interaction is selected: choose one from the list.`;
    }
  } else next[id] = changed;
  work.value = next;
}

/** Removes an ended interaction's tab. */
export function closeEnded(id: string): void {
  update(id, () => null);
}

function applyNotification(n: InteractionNotification): void {
  switch (n.notificationType) {
    case "NewInteraction":
    case "StatusChange": {
      const ix = n.interaction;
      touched.set(ix.id, ++notices);
      const known = work.value[ix.id];
      if (ix.state === "Completed" && known !== undefined && !leaving.has(ix.id) && known.pending?.kind !== "Transfer" && isTab(known)) {
        // It ended under the agent's eyes (the customer left): it stays, read-only, until they close it.
        update(ix.id, (item) => ({ ...item, interaction: { ...item.interaction, state: "Completed" }, ended: true, pending: null, typing: null }));
        return;
      }
      if (ix.state === "Completed" || ix.state === "LeftConference" || ix.state === "Queued") {
        leaving.delete(ix.id);
        update(ix.id, () => null);
        if (ix.state === "Completed") removeParked(ix.id);
        return;
      }
      if (ix.state === "InWorkbin") {
        leaving.delete(ix.id);
        update(ix.id, () => null);
        parked.value = { ...parked.value, [ix.id]: ix };
        return;
      }
      // A Transfer or Conference asked: the first notice acknowledges it, the next one is the answer.
      const was = known?.pending ?? null;
      const pending = was === null || n.notificationType !== "StatusChange" ? was : was.acks > 0 ? { ...was, acks: was.acks - 1 } : null;
      work.value = { ...work.value, [ix.id]: { ...(known ?? blank(ix)), interaction: ix, ended: false, pending } };
      if (isOffer(ix) && (known === undefined || !isOffer(known.interaction))) playOfferSound();
      if (isActive(ix)) removeParked(ix.id);
      return;
    }
    case "WorkbinContent":
      parked.value = { ...parked.value, [n.interaction.id]: n.interaction };
      return;
    case "PropertiesUpdated":
      update(n.id, (item) => {
        const userData = { ...item.interaction.userData };
        for (const [key, value] of Object.entries(n.changedProperties)) {
          if (value === null) delete userData[key];
          else if (isObject(value) && isObject(userData[key])) userData[key] = { ...(userData[key] as object), ...value };
          else userData[key] = value;
        }
        return { ...item, interaction: { ...item.interaction, userData } };
      });
      return;
    case "NewMessages":
      {
        const history = rereading.delete(n.id);
        update(n.id, (item) => addMessages(item, n.messages, history || (selected.value?.interaction.id === n.id && !document.hidden)));
      }
      return;
  }
}

function removeParked(id: string): void {
  if (parked.value[id] === undefined) return;
  const next = { ...parked.value };
  delete next[id];
  parked.value = next;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Adds entries not seen yet (by index: history re-read after a reconnect repeats them). */
function addMessages(item: WorkItem, messages: ChatMessage[], seen: boolean): WorkItem {
  const known = new Set(item.messages.map((m) => m.index));
  let typing = item.typing;
  let unread = item.unread;
  const added: ChatMessage[] = [];
  let lastIndex = item.lastIndex;
  for (const m of messages) {
    if (known.has(m.index)) continue;
    known.add(m.index);
    const fresh = m.index > lastIndex;
    if (fresh) lastIndex = m.index;
    if (m.type === "TypingStarted" || m.type === "TypingStopped") {
      if (fresh && m.from.type === "Customer") typing = m.type === "TypingStarted" ? m.from.nickname : null;
      continue;
    }
    added.push(m);
    if (m.from.type === "Customer" && fresh) {
      if (m.type === "Text") typing = null;
      // What the customer said or sent counts as unread: a message, and a file they attached.
      if ((m.type === "Text" || m.type === "FileUploaded") && !seen) unread += 1;
    }
  }
  if (added.length === 0 && typing === item.typing && lastIndex === item.lastIndex) return item;
  const all = [...item.messages, ...added].sort((a, b) => a.index - b.index);
  return { ...item, messages: all, typing, unread, lastIndex };
}

export function select(id: string): void {
  selectedId.value = id;
  selectionNote.value = null;
  update(id, (item) => (item.unread === 0 ? item : { ...item, unread: 0 }));
}

export async function operate(id: string, operation: api.Operation, what: string = operation.operationName): Promise<boolean> {
  const leaves = LEAVES.has(operation.operationName);
  if (leaves) leaving.add(id);
  const ok = await attempt(what, () => api.operate(id, operation));
  if (!ok && leaves) leaving.delete(id);
  return ok;
}

/** Transfer or Conference: asks `name` (agent `agentId`) and waits for their answer, shown in the chat. */
export async function invite(id: string, kind: "Transfer" | "Conference", agentId: string, name: string): Promise<boolean> {
  const op = kind === "Transfer" ? ({ operationName: "Transfer", targetId: agentId } as const) : ({ operationName: "StartConference", agentId } as const);
  // Set before the request: its acknowledgement may come over CometD before the HTTP answer.
  update(id, (item) => ({ ...item, pending: { kind, name, acks: 1 } }));
  const ok = await operate(id, op, kind);
  if (!ok) update(id, (item) => ({ ...item, pending: null }));
  return ok;
}

/** Marks the current tab's messages read when the window comes back. */
document.addEventListener("visibilitychange", () => {
  const id = selected.value?.interaction.id;
  if (!document.hidden && id !== undefined) select(id);
});

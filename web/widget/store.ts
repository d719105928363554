/**
 * The widget's state and what changes it: one chat with one service, in CometD mode. Entries are
 * kept by their transcript position, so a push and a refresh that overlap (after a reload, a
 * re-handshake or a dropped connection) never show an entry twice, and a gap (a push past the
 * position read so far) makes the store refresh from that position: nothing is ever missing.
 */
import { batch, computed, effect, signal } from "@preact/signals";
import { type ChatEntry, type ChatObject, type ChatV1, type CustomerPush, chatV1, entriesOf, type ServiceStatus } from "../shared/chat-v1.ts";
import { type ConnectionState, connectComet } from "../shared/cometd.ts";
import { ApiError, gmsApp } from "../shared/http.ts";
import { loadSession, type SavedSession, type StartDetails, saveSession } from "./session.ts";

/** start: the form; waiting: an advanced service waits for an agent; chatting: the chat is open; ended. */
export type Phase = "start" | "starting" | "waiting" | "chatting" | "ended";

/** How long after the last keystroke the customer stops "typing". */
const TYPING_IDLE_MS = 3000;
/** How often an advanced service's status is asked (the server also pushes it). */
const STATUS_POLL_MS = 5000;

export class ChatStore {
  readonly phase = signal<Phase>("start");
  /** The transcript, in order, without typing notices' duplicates: every entry once. */
  readonly entries = signal<ChatEntry[]>([]);
  readonly startedAt = signal<number | null>(null);
  /** An advanced service's last status (`waiting`, `available`). */
  readonly serviceStatus = signal<string | null>(null);
  readonly error = signal<string | null>(null);
  readonly connection = signal<ConnectionState>("connecting");

  /** Agents in the chat now (joined, not left), by nickname. */
  readonly agents = computed(() => {
    const present = new Set<string>();
    for (const e of this.entries.value) {
      if (e.userType !== "AGENT") continue;
      if (e.type === "Notice.Joined") present.add(e.nick);
      else if (e.type === "Notice.Left") present.delete(e.nick);
    }
    return present;
  });

  /** The agent typing now, if any: a TypingStarted not followed by their TypingStopped, message or leaving. */
  readonly agentTyping = computed(() => {
    let typing: string | null = null;
    for (const e of this.entries.value) {
      if (e.userType !== "AGENT") continue;
      if (e.type === "Notice.TypingStarted") typing = e.nick;
      else if (e.nick === typing) typing = null;
    }
    return typing;
  });

  private session: SavedSession;
  private api: ChatV1;
  private handshaken: Promise<void> | null = null;
  private byIndex = new Map<number, ChatEntry>();
  /** The next position not read yet: entries below it are all here. */
  private next = 1;
  private catchingUp: Promise<void> | null = null;
  private catchUpAgain = false;
  /** An ixn/chat is on its way: a status saying "available" meanwhile (a push and a poll both may) must not open a second. */
  private opening = false;
  private statusTimer: ReturnType<typeof setInterval> | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private typing = false;

  constructor(readonly service: string) {
    this.session = loadSession(service);
    this.api = chatV1(this.session.gmsUser);
    if (this.session.chatId !== undefined) {
      // A reload mid-chat: read the whole transcript again (from 1) once connected.
      this.phase.value = this.session.ended === true ? "ended" : "chatting";
      this.connect();
      if (this.session.ended === true) void this.catchUp();
    } else if (this.session.serviceId !== undefined && this.session.details !== undefined) {
      // A reload while starting: an advanced service goes on waiting, a basic one opens its chat.
      this.phase.value = this.session.kind === "advanced" ? "waiting" : "starting";
      if (this.session.kind === "advanced") {
        void this.connect();
        this.pollStatus();
      } else {
        this.connect()
          .then(() => this.openChat())
          .catch((err) => this.failedStart(err));
      }
    }
  }

  /** Starts a chat: a new service, then (when an agent can take it, for an advanced one) its chat. */
  async start(details: StartDetails): Promise<void> {
    if (this.phase.value === "starting") return;
    batch(() => {
      this.phase.value = "starting";
      this.error.value = null;
    });
    try {
      await this.connect();
      const service = await this.api.createService(this.service);
      this.session = { gmsUser: this.session.gmsUser, serviceId: service.id, kind: service.kind, details };
      this.save();
      if (service.kind === "advanced") {
        this.phase.value = "waiting";
        this.pollStatus();
      } else {
        await this.openChat();
      }
    } catch (err) {
      this.failedStart(err);
    }
  }

  private failedStart(err: unknown): void {
    batch(() => {
      this.phase.value = "start";
      this.error.value = describe(err, "The chat could not start.");
    });
  }

  async send(text: string): Promise<void> {
    const serviceId = this.session.serviceId;
    if (serviceId === undefined || text.trim() === "") return;
    // The message itself ends the typing, as agents' desktops take it.
    this.stopTypingSoon(-1);
    try {
      this.error.value = null;
      await this.api.send(serviceId, text);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) void this.catchUp();
      this.error.value = describe(err, "Your message was not sent.");
      throw err;
    }
  }

  /** The customer typed: TypingStarted once, TypingStopped after a pause. */
  typed(): void {
    const serviceId = this.session.serviceId;
    if (serviceId === undefined || this.phase.value !== "chatting") return;
    if (!this.typing) {
      this.typing = true;
      this.api.startTyping(serviceId).catch(() => {});
    }
    this.stopTypingSoon(TYPING_IDLE_MS);
  }

  async end(): Promise<void> {
    const serviceId = this.session.serviceId;
    this.stopPolling();
    if (serviceId === undefined) return;
    try {
      if (this.session.chatId === undefined) {
        // An advanced service still waiting: nothing to disconnect, forget it.
        this.newChat();
        return;
      }
      this.apply(await this.api.disconnect(serviceId));
      this.markEnded();
    } catch (err) {
      this.error.value = describe(err, "The chat could not be ended.");
    }
  }

  /** After the end: the start form again, same customer. */
  newChat(): void {
    this.stopPolling();
    this.session = { gmsUser: this.session.gmsUser };
    this.save();
    this.byIndex.clear();
    this.next = 1;
    batch(() => {
      this.entries.value = [];
      this.startedAt.value = null;
      this.serviceStatus.value = null;
      this.error.value = null;
      this.phase.value = "start";
    });
  }

  private async openChat(): Promise<void> {
    const serviceId = this.session.serviceId;
    const details = this.session.details;
    if (serviceId === undefined || details === undefined) return;
    this.stopPolling();
    const [firstName, ...rest] = details.name.trim().split(/\s+/);
    this.opening = true;
    let chat: ChatObject;
    try {
      chat = await this.api.startChat(serviceId, {
        userDisplayName: details.name.trim(),
        firstName,
        lastName: rest.length > 0 ? rest.join(" ") : undefined,
        email: details.email.trim() || undefined,
        subject: details.subject.trim() || undefined,
      });
    } finally {
      this.opening = false;
    }
    this.session = { ...this.session, chatId: chat.chatSessionId, details: undefined };
    this.save();
    this.phase.value = "chatting";
    this.apply(chat);
    // Entries pushed before the subscription took: read them from the transcript.
    await this.catchUp();
  }

  private connect(): Promise<void> {
    if (this.handshaken !== null) return this.handshaken;
    const user = this.session.gmsUser;
    const comet = connectComet({
      path: `${encodeURIComponent(gmsApp())}/cometd`,
      requestHeaders: { gms_user: user },
      handshakeProps: { ext: { gms_user: user } },
    });
    comet.subscribe("/_genesys", (data) => this.onPush(data as CustomerPush));
    let handshaken: () => void = () => {};
    this.handshaken = new Promise<void>((resolve) => {
      handshaken = resolve;
      // A server that cannot be reached now must not hold the start forever: the REST calls say why.
      setTimeout(resolve, 8000);
    });
    // Every handshake (a new one after a lost client too) may have missed pushes: read from the position.
    comet.onHandshake(() => {
      handshaken();
      void this.catchUp();
    });
    let wasDown = false;
    effect(() => {
      const state = comet.state.value ?? "connecting";
      this.connection.value = state;
      if (state === "disconnected") wasDown = true;
      else if (state === "connected" && wasDown) {
        wasDown = false;
        void this.catchUp();
      }
    });
    return this.handshaken;
  }

  private onPush(push: CustomerPush): void {
    const serviceId = this.session.serviceId;
    if (serviceId === undefined || typeof push.tag !== "string") return;
    if (push.tag === `service.chat.refresh.${serviceId}`) {
      this.apply(push.message as ChatObject);
    } else if (push.tag.startsWith("a2c.advanced.service.") && push.tag.endsWith(`.${serviceId}`)) {
      this.onStatus(push as ServiceStatus);
    }
  }

  private onStatus(status: ServiceStatus): void {
    if (this.phase.value !== "waiting" || this.opening) return;
    this.serviceStatus.value = status.message._status;
    if (status.message._status === "available") {
      this.stopPolling();
      this.openChat().catch((err) => {
        // Taken by someone else meanwhile (503): wait again.
        this.error.value = err instanceof ApiError && err.status === 503 ? null : describe(err, "The chat could not start.");
        if (this.phase.value === "waiting") this.pollStatus();
      });
    }
  }

  private pollStatus(): void {
    const serviceId = this.session.serviceId;
    if (serviceId === undefined || this.statusTimer !== undefined) return;
    const ask = () =>
      this.api.status(serviceId).then(
        (status) => this.onStatus(status),
        () => {},
      );
    this.statusTimer = setInterval(ask, STATUS_POLL_MS);
    void ask();
  }

  private stopPolling(): void {
    clearInterval(this.statusTimer);
    this.statusTimer = undefined;
  }

  /** Reads the transcript from the next position not read; one at a time, again when asked meanwhile. */
  private catchUp(): Promise<void> {
    const serviceId = this.session.serviceId;
    if (serviceId === undefined || this.session.chatId === undefined) return Promise.resolve();
    if (this.catchingUp !== null) {
      this.catchUpAgain = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      do {
        this.catchUpAgain = false;
        try {
          this.apply(await this.api.refresh(serviceId, this.next));
        } catch (err) {
          // Offline: the next handshake or reconnection catches up.
          if (err instanceof ApiError && err.status === 400) this.markEnded();
          return;
        }
      } while (this.catchUpAgain);
    })().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  /** Adds a reply's or push's entries (each position once) and follows the chat's state. */
  private apply(chat: ChatObject | undefined): void {
    if (chat === undefined || chat === null || typeof chat !== "object") return;
    if (this.session.chatId !== undefined && chat.chatSessionId !== undefined && chat.chatSessionId !== this.session.chatId) return;
    const fresh = entriesOf(chat).filter((e) => e.index >= 1 && !this.byIndex.has(e.index));
    let gap = false;
    if (fresh.length > 0) {
      for (const e of fresh) this.byIndex.set(e.index, e);
      while (this.byIndex.has(this.next)) this.next++;
      gap = fresh.some((e) => e.index > this.next);
    }
    batch(() => {
      if (chat.startedAt !== undefined) {
        const at = Date.parse(chat.startedAt);
        if (!Number.isNaN(at)) this.startedAt.value = at;
      }
      if (fresh.length > 0) this.entries.value = [...this.byIndex.values()].sort((a, b) => a.index - b.index);
      if (chat.chatIxnState === "DISCONNECTED") this.markEnded();
    });
    if (gap) void this.catchUp();
  }

  private markEnded(): void {
    this.stopTypingSoon(-1);
    if (this.session.chatId === undefined) return;
    if (this.session.ended !== true) {
      this.session = { ...this.session, ended: true };
      this.save();
    }
    this.phase.value = "ended";
  }

  /** Sends TypingStopped after `ms` without typing (0: now; negative: forget the typing without telling). */
  private stopTypingSoon(ms: number): void {
    clearTimeout(this.typingTimer);
    if (!this.typing) return;
    const stop = () => {
      this.typing = false;
      const serviceId = this.session.serviceId;
      if (ms >= 0 && serviceId !== undefined && this.phase.value === "chatting") this.api.stopTyping(serviceId).catch(() => {});
    };
    if (ms <= 0) stop();
    else this.typingTimer = setTimeout(stop, ms);
  }

  private save(): void {
    saveSession(this.service, this.session);
  }
}

function describe(err: unknown, fallback: string): string {
  if (err instanceof ApiError) {
    if (err.status === 429) return "Too many attempts just now. Please wait a moment and try again.";
    if (err.status === 404) return "This chat service does not exist.";
    if (err.status === 503) return "No agent can take a chat right now. Please try again later.";
    return `${fallback} ${err.message}`;
  }
  return `${fallback} Check your connection and try again.`;
}

/**
 * What the customer waits for: the connection ("Reconnecting…", announced), the queue (an
 * advanced service's status, or "Waiting for an agent…"), an agent typing, and errors.
 */
import type { ChatStore } from "./store.ts";

/** Always in the page (role status), so a change of its text is announced. */
export function ConnectionBanner({ store }: { store: ChatStore }) {
  const phase = store.phase.value;
  const down = store.connection.value === "disconnected" && (phase === "chatting" || phase === "waiting");
  return (
    <div class={down ? "pw-banner pw-banner-down" : "pw-banner"} role="status">
      {down ? "Reconnecting…" : ""}
    </div>
  );
}

export function WaitingNotice({ store }: { store: ChatStore }) {
  const phase = store.phase.value;
  let text: string | null = null;
  if (phase === "waiting") {
    text =
      store.serviceStatus.value === "available"
        ? "An agent is available: connecting you…"
        : "All our agents are busy. You are in the queue: please stay, we will connect you as soon as one is free.";
  } else if (phase === "chatting" && store.agents.value.size === 0) {
    text = "Waiting for an agent…";
  }
  return (
    <p class={text === null ? "pw-waiting pw-empty" : "pw-waiting"} role="status">
      {text ?? ""}
    </p>
  );
}

export function TypingIndicator({ store }: { store: ChatStore }) {
  const agent = store.phase.value === "chatting" ? store.agentTyping.value : null;
  return (
    <p class="pw-typing" aria-live="polite">
      {agent === null ? "" : `${agent} is typing…`}
    </p>
  );
}

export function ErrorMessage({ store }: { store: ChatStore }) {
  const error = store.error.value;
  return (
    <p class={error === null ? "pw-error pw-empty" : "pw-error"} role="alert">
      {error ?? ""}
    </p>
  );
}

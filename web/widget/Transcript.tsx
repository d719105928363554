/**
 * The transcript: one element with role `log` (polite), so screen readers announce each new
 * entry. Everything anyone typed is a text node, never HTML; a pushed URL is a link only when it
 * is http(s).
 */
import { useEffect, useRef } from "preact/hooks";
import type { ChatEntry } from "../shared/chat-v1.ts";
import { safeHttpUrl } from "../shared/links.ts";
import type { ChatStore } from "./store.ts";

export function Transcript({ store }: { store: ChatStore }) {
  const log = useRef<HTMLDivElement>(null);
  const entries = store.entries.value;
  const startedAt = store.startedAt.value;
  useEffect(() => {
    const element = log.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [entries.length]);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so a keyboard must reach it (axe: scrollable-region-focusable)
    <div ref={log} class="pw-log" role="log" aria-live="polite" aria-label="Chat transcript" tabIndex={0}>
      {entries.map((entry) => (
        <Entry key={entry.index} entry={entry} startedAt={startedAt} />
      ))}
    </div>
  );
}

function Entry({ entry, startedAt }: { entry: ChatEntry; startedAt: number | null }) {
  const mine = entry.userType === "CLIENT";
  const time = startedAt === null ? null : new Date(startedAt + entry.seconds * 1000);
  const stamp =
    time === null ? null : (
      <time class="pw-time" dateTime={time.toISOString()}>
        {time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
      </time>
    );
  switch (entry.type) {
    case "Message.Text":
      return (
        <div class={`pw-msg ${mine ? "pw-mine" : "pw-theirs"}`} data-index={entry.index}>
          <div class="pw-meta">
            <span class="pw-nick">{mine ? "You" : entry.nick}</span>
            {stamp}
          </div>
          <p class="pw-bubble">{entry.text}</p>
        </div>
      );
    case "Notice.PushUrl": {
      const href = safeHttpUrl(entry.text);
      return (
        <div class="pw-notice pw-push" data-index={entry.index}>
          <span>{entry.nick} shared a link: </span>
          {href === null ? (
            <span class="pw-url">{entry.text}</span>
          ) : (
            <a class="pw-url" href={href} target="_blank" rel="noopener noreferrer">
              {entry.text}
            </a>
          )}
          {stamp}
        </div>
      );
    }
    case "Notice.Joined":
    case "Notice.Left":
    case "Notice.Custom":
      return (
        <div class="pw-notice" data-index={entry.index}>
          <span>{mine ? ownNotice(entry) : `${entry.nick} ${entry.text}`}</span>
          {stamp}
        </div>
      );
    default:
      // Typing notices are shown beside the composer, not in the transcript.
      return null;
  }
}

/** The customer's own notices, in the second person. */
function ownNotice(entry: ChatEntry): string {
  if (entry.type === "Notice.Left") return "You left the chat";
  if (entry.type === "Notice.Joined") return "You joined the chat";
  return entry.text;
}

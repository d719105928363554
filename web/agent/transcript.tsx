/** A chat's transcript with the time of each entry. Everything is text: nothing a customer typed is ever parsed as HTML. */
import { useEffect, useRef } from "preact/hooks";
import type { ChatMessage } from "../shared/agent-api.ts";
import { safeHttpUrl } from "../shared/links.ts";
import { timeOfDay } from "./format.ts";

export function Transcript(props: { messages: ChatMessage[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  /** Whether the newest entry is in view: new entries and resizes keep it so, unless the agent scrolled up. */
  const pinned = useRef(true);
  /** A scroll this component made: its (later) scroll event says nothing about where the agent wants to be. */
  const own = useRef(false);
  const stick = () => {
    const list = ref.current;
    if (list === null || !pinned.current) return;
    const before = list.scrollTop;
    list.scrollTop = list.scrollHeight;
    if (list.scrollTop !== before) own.current = true;
  };
  const count = props.messages.length;
  useEffect(stick, [count]);
  useEffect(() => {
    const list = ref.current;
    if (list === null) return;
    const observer = new ResizeObserver(stick);
    observer.observe(list);
    const content = list.firstElementChild;
    if (content !== null) observer.observe(content);
    return () => observer.disconnect();
  }, []);
  const onScroll = () => {
    const list = ref.current;
    if (own.current) {
      own.current = false;
      return;
    }
    if (list !== null) pinned.current = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  };
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so keyboard users must be able to reach it
    <div ref={ref} class="transcript" role="log" aria-label={props.label} tabIndex={0} onScroll={onScroll}>
      <ol>
        {props.messages.map((m) => (
          <Entry key={m.index} message={m} />
        ))}
      </ol>
    </div>
  );
}

function Entry({ message: m }: { message: ChatMessage }) {
  const time = (
    <time class="when" dateTime={m.timestamp}>
      {timeOfDay(m.timestamp)}
    </time>
  );
  const who = m.from.type === "Customer" ? "customer" : m.from.type === "Agent" ? "agent" : "other";
  if (m.type === "Text") {
    return (
      <li class={`entry text ${who}`}>
        <span class="who">{m.from.nickname}</span> {time}
        <p class="body">{m.text}</p>
      </li>
    );
  }
  if (m.type === "PushUrl") {
    const url = safeHttpUrl(m.text);
    return (
      <li class="entry notice">
        {time} <span class="who">{m.from.nickname}</span> sent a link:{" "}
        {url === null ? (
          m.text
        ) : (
          <a href={url} target="_blank" rel="noopener noreferrer">
            {m.text}
          </a>
        )}
      </li>
    );
  }
  const what = m.type === "ParticipantJoined" ? "joined" : m.type === "ParticipantLeft" ? "left" : null;
  return (
    <li class="entry notice">
      {time} <span class="who">{m.from.nickname}</span> {what ?? m.text}
      {what !== null && m.text !== "" && <span class="detail"> ({m.text})</span>}
    </li>
  );
}

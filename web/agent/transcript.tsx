/**
 * A chat's transcript with the time of each entry. Everything is text: nothing a customer typed
 * (a message, a nickname, a file's name) is ever parsed as HTML. A file the customer attached is
 * a download link through the agent API, until they delete it.
 */
import { useEffect, useRef } from "preact/hooks";
import { type ChatMessage, fileUrl } from "../shared/agent-api.ts";
import { safeHttpUrl } from "../shared/links.ts";
import { fileSize, timeOfDay } from "./format.ts";

/** What entries need from the rest of the transcript: the files since deleted, and each party's nickname before a NicknameUpdated. */
interface Context {
  interactionId: string;
  deleted: ReadonlySet<string>;
  /** By a NicknameUpdated entry's index: the nickname its party had before it. */
  formerNicknames: ReadonlyMap<number, string>;
}

function contextOf(interactionId: string, messages: readonly ChatMessage[]): Context {
  const deleted = new Set<string>();
  const formerNicknames = new Map<number, string>();
  const current = new Map<string, string>();
  for (const m of messages) {
    const fileId = m.userData?.["file-id"];
    if (m.type === "FileDeleted" && fileId !== undefined) deleted.add(fileId);
    const before = current.get(m.from.type);
    if (m.type === "NicknameUpdated" && before !== undefined) formerNicknames.set(m.index, before);
    if (m.from.nickname !== "") current.set(m.from.type, m.from.nickname);
  }
  return { interactionId, deleted, formerNicknames };
}

export function Transcript(props: { interactionId: string; messages: ChatMessage[]; label: string }) {
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
  const context = contextOf(props.interactionId, props.messages);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so keyboard users must be able to reach it
    <div ref={ref} class="transcript" role="log" aria-label={props.label} tabIndex={0} onScroll={onScroll}>
      <ol>
        {props.messages.map((m) => (
          <Entry key={m.index} message={m} context={context} />
        ))}
      </ol>
    </div>
  );
}

function Entry({ message: m, context }: { message: ChatMessage; context: Context }) {
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
  if (m.type === "FileUploaded") {
    const id = m.userData?.["file-id"];
    const name = m.userData?.["file-name"] ?? m.text;
    const size = fileSize(m.userData?.["file-size"]);
    const description = m.userData?.["file-description"] ?? "";
    const label = size === null ? name : `${name} (${size})`;
    return (
      <li class="entry notice">
        {time} <span class="who">{m.from.nickname}</span> sent a file:{" "}
        {id === undefined || context.deleted.has(id) ? (
          <>
            {label} <span class="detail">(removed)</span>
          </>
        ) : (
          <a href={fileUrl(context.interactionId, id)} download="">
            {label}
          </a>
        )}
        {description !== "" && <span class="detail"> – {description}</span>}
      </li>
    );
  }
  if (m.type === "FileDeleted") {
    return (
      <li class="entry notice">
        {time} <span class="who">{m.from.nickname}</span> removed the file {m.text}
      </li>
    );
  }
  if (m.type === "NicknameUpdated") {
    const before = context.formerNicknames.get(m.index);
    const former = before === undefined ? m.from.type === "Customer" ? "The customer" : "Someone" : <span class="who">{before}</span>;
    return (
      <li class="entry notice">
        {time} {former} is now <span class="who">{m.from.nickname}</span>
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

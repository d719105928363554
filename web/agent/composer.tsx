/**
 * The reply box of a chat: Enter sends, Shift+Enter adds a line. Typing notices go to the
 * customer (StartTyping once, StopTyping after a pause or on send), not on every key.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import * as api from "../shared/agent-api.ts";
import { attempt, focusRequest } from "./store.ts";

const PAUSE_MS = 3000;

export function Composer(props: { id: string }) {
  const text = useSignal("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const typing = useRef<{ on: boolean; timer: ReturnType<typeof setTimeout> | undefined }>({ on: false, timer: undefined });

  useEffect(() => {
    if (focusRequest.value === props.id) {
      ref.current?.focus();
      focusRequest.value = null;
    }
  }, [props.id, focusRequest.value]);

  const stopTyping = () => {
    clearTimeout(typing.current.timer);
    if (!typing.current.on) return;
    typing.current.on = false;
    void api.operate(props.id, { operationName: "StopTyping" }).catch(() => {});
  };
  useEffect(() => stopTyping, [props.id]);

  const onInput = (value: string) => {
    text.value = value;
    if (value === "") return stopTyping();
    if (!typing.current.on) {
      typing.current.on = true;
      void api.operate(props.id, { operationName: "StartTyping" }).catch(() => {});
    }
    clearTimeout(typing.current.timer);
    typing.current.timer = setTimeout(stopTyping, PAUSE_MS);
  };

  const send = async () => {
    const message = text.value;
    if (message.trim() === "") return;
    stopTyping();
    if (await attempt("Sending", () => api.operate(props.id, { operationName: "SendMessage", text: message }))) text.value = "";
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label class="visually-hidden" for={`message-${props.id}`}>
        Message
      </label>
      <textarea
        ref={ref}
        id={`message-${props.id}`}
        rows={3}
        value={text.value}
        placeholder="Type a reply; Enter sends, Shift+Enter adds a line"
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <button type="submit" class="primary">
        Send
      </button>
    </form>
  );
}

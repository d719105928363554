/** The message box: Enter sends, Shift+Enter is a new line; typing tells the agent (debounced in the store). */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatStore } from "./store.ts";

export function Composer({ store }: { store: ChatStore }) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  // The chat has just started (or come back): the customer types at once.
  useEffect(() => box.current?.focus(), []);
  const send = async () => {
    const message = text;
    if (message.trim() === "" || sending) return;
    setSending(true);
    try {
      await store.send(message);
      setText("");
    } catch {
      // The store shows why; the text stays to be sent again.
    } finally {
      setSending(false);
      box.current?.focus();
    }
  };
  return (
    <form
      class="pw-composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <label class="pw-visually-hidden" for="pw-message">
        Message
      </label>
      <textarea
        id="pw-message"
        ref={box}
        rows={2}
        maxLength={4000}
        placeholder="Type a message…"
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
          store.typed();
        }}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <div class="pw-actions">
        <button class="pw-secondary" type="button" onClick={() => void store.end()}>
          End chat
        </button>
        <button class="pw-primary" type="submit" disabled={sending || text.trim() === ""}>
          Send
        </button>
      </div>
    </form>
  );
}

/**
 * The embedded widget (widget.js on another site): a floating "Chat with us" button that opens
 * the widget in a panel beside it; Escape closes it and gives the focus back to the button. The
 * widget stays mounted while closed, so a chat goes on.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ChatIcon } from "./ChatIcon.tsx";
import type { ChatStore } from "./store.ts";
import { Widget } from "./Widget.tsx";

export function Launcher({ store }: { store: ChatStore }) {
  // A chat in progress (a reload of the host page) opens at once.
  const [open, setOpen] = useState(store.phase.value !== "start");
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const first = panel.current?.querySelector<HTMLElement>("input, textarea");
    first?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  // Escape anywhere in the panel closes it.
  useEffect(() => {
    const element = panel.current;
    if (element === null || !open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") close();
    };
    element.addEventListener("keydown", onKey);
    return () => element.removeEventListener("keydown", onKey);
  });
  return (
    <div class="pw-embed">
      <div ref={panel} id="pw-panel" class="pw-panel" hidden={!open}>
        <Widget store={store} headingLevel={2} />
        <button class="pw-close" type="button" aria-label="Close chat" onClick={close}>
          ×
        </button>
      </div>
      <button
        ref={button}
        class="pw-launcher"
        type="button"
        aria-expanded={open}
        aria-controls="pw-panel"
        onClick={() => setOpen(!open)}
        onKeyDown={(event) => {
          if (event.key === "Escape" && open) close();
        }}
      >
        <ChatIcon size={20} /> Chat with us
      </button>
    </div>
  );
}

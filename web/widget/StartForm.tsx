/** The start form: name, email, subject; Enter in any field submits it. */
import { useEffect, useRef } from "preact/hooks";
import type { ChatStore } from "./store.ts";

/** `focus`: the form takes the focus once shown (on the page of its own; the embed focuses it when opened). */
export function StartForm({ store, focus = false }: { store: ChatStore; focus?: boolean }) {
  const form = useRef<HTMLFormElement>(null);
  const name = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focus) name.current?.focus();
  }, []);
  const busy = store.phase.value === "starting";
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(form.current ?? undefined);
    void store.start({
      name: String(data.get("name") ?? ""),
      email: String(data.get("email") ?? ""),
      subject: String(data.get("subject") ?? ""),
    });
  };
  return (
    <form ref={form} class="pw-start" onSubmit={onSubmit} aria-busy={busy}>
      <p class="pw-intro">Hi! Tell us who you are and what it is about, and an agent will be with you shortly.</p>
      <label class="pw-field">
        <span>Name</span>
        <input ref={name} name="name" type="text" autocomplete="name" required maxLength={100} />
      </label>
      <label class="pw-field">
        <span>Email</span>
        <input name="email" type="email" autocomplete="email" maxLength={200} />
      </label>
      <label class="pw-field">
        <span>Subject</span>
        <input name="subject" type="text" maxLength={200} />
      </label>
      <button class="pw-primary" type="submit" disabled={busy}>
        {busy ? "Starting…" : "Start chat"}
      </button>
    </form>
  );
}

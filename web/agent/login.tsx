/** The login form: Basic once against GET /api/v2/me; the session cookie does the rest. */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { logIn } from "./store.ts";

export function Login() {
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const name = useRef<HTMLInputElement>(null);
  // The page is this form: the first thing to do is to type the name.
  useEffect(() => name.current?.focus(), []);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    busy.value = true;
    error.value = await logIn(String(form.get("username") ?? ""), String(form.get("password") ?? ""));
    busy.value = false;
  };
  return (
    <main class="login">
      <form class="login-form" onSubmit={onSubmit} aria-labelledby="login-title">
        <h1 id="login-title">parley agent desktop</h1>
        <label>
          Username
          <input ref={name} name="username" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error.value !== null && (
          <p role="alert" class="form-error">
            {error.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          Log in
        </button>
      </form>
    </main>
  );
}

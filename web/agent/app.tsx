/** The desktop's frame: login, or the header (name, state, Log out), the offline banner, and the work area. */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { InteractionPanel } from "./interaction-panel.tsx";
import { Login } from "./login.tsx";
import { Offers } from "./offers.tsx";
import { StateBar } from "./state-bar.tsx";
import { comet, isSupervisor, lastError, logOut, selected, selectionNote, sessionChecked, user } from "./store.ts";
import { SupervisorView } from "./supervisor/index.tsx";
import { InteractionTabs } from "./tabs.tsx";
import { Workbins } from "./workbin.tsx";

export function App() {
  if (!sessionChecked.value) return <p class="loading">Loading…</p>;
  const u = user.value;
  if (u === null) return <Login />;
  return <Desk name={`${u.firstName} ${u.lastName}`.trim() || u.userName} />;
}

function Desk(props: { name: string }) {
  const view = useSignal<"desk" | "supervisor">("desk");
  const c = comet.value;
  const offline = c !== null && c.state.value === "disconnected";
  const u = user.value;
  const brand = useRef<HTMLHeadingElement>(null);
  // Just logged in (or reloaded): the focus starts at the top of the desk, not on the body.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) brand.current?.focus();
  }, []);
  return (
    <div class="desk">
      <header class="top">
        <h1 class="brand" ref={brand} tabIndex={-1}>
          parley
        </h1>
        <span class="me">{props.name}</span>
        <StateBar />
        {isSupervisor.value && (
          <nav class="views" aria-label="Views">
            <button type="button" aria-pressed={view.value === "desk"} onClick={() => (view.value = "desk")}>
              Desk
            </button>
            <button type="button" aria-pressed={view.value === "supervisor"} onClick={() => (view.value = "supervisor")}>
              Supervisor
            </button>
          </nav>
        )}
        <button type="button" class="logout" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      {offline && (
        <p class="banner offline" role="alert">
          Offline – reconnecting…
        </p>
      )}
      {lastError.value !== null && (
        <p class="banner error" role="status">
          {lastError.value}{" "}
          <button type="button" class="small" onClick={() => (lastError.value = null)}>
            Dismiss
          </button>
        </p>
      )}
      {view.value === "supervisor" && u !== null && c !== null ? (
        <main class="supervisor">
          <SupervisorView user={u} comet={c} />
        </main>
      ) : (
        <main class="layout">
          <div class="left">
            <Offers />
            <h2 class="section-title">Interactions</h2>
            <InteractionTabs />
            <Workbins />
          </div>
          {selected.value !== null ? (
            <InteractionPanel key={selected.value.interaction.id} item={selected.value} />
          ) : (
            <div class="work idle">
              <p role="status" class="idle-note">
                {selectionNote.value ?? ""}
              </p>
            </div>
          )}
        </main>
      )}
    </div>
  );
}

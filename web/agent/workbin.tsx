/**
 * Workbins: the interactions the agent parked (from GET /me/interactions, the InWorkbin
 * StatusChange that PlaceInWorkbin sends its owner, and WorkbinContent notifications), each
 * with Take back (Accept: it is theirs again and opens in a tab), and a form to list one
 * workbin (GetWorkbinContent, which the API runs on an interaction the agent holds).
 */
import { useSignal } from "@preact/signals";
import { customerName, mediaLabel } from "./format.ts";
import { focusRequest, operate, parked, select, work } from "./store.ts";

export function Workbins() {
  const name = useSignal("My workbin");
  const items = Object.values(parked.value);
  const held = Object.values(work.value).find((w) => !w.ended)?.interaction.id ?? items[0]?.id;
  return (
    <section class="workbins" aria-labelledby="workbins-title">
      <h2 id="workbins-title">Workbins</h2>
      {items.length === 0 ? (
        <p class="empty">Nothing parked.</p>
      ) : (
        <ul class="parked">
          {items.map((ix) => (
            <li key={ix.id}>
              <span>
                {customerName(ix)}{" "}
                <span class="muted">
                  ({mediaLabel(ix.mediaType)}, {ix.workbin})
                </span>
              </span>
              <button
                type="button"
                class="small"
                aria-describedby={`parked-${ix.id}`}
                onClick={async () => {
                  if (await operate(ix.id, { operationName: "Accept" }, "Take back")) {
                    focusRequest.value = ix.id;
                    select(ix.id);
                  }
                }}
              >
                Take back
              </button>
              <span id={`parked-${ix.id}`} class="visually-hidden">
                {customerName(ix)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (held !== undefined) void operate(held, { operationName: "GetWorkbinContent", workbin: name.value.trim() }, "Open workbin");
        }}
      >
        <label>
          Workbin
          <input value={name.value} onInput={(e) => (name.value = (e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={held === undefined} aria-describedby={held === undefined ? "workbin-why" : undefined}>
          Open workbin
        </button>
      </form>
      {held === undefined && (
        <p id="workbin-why" class="muted hint">
          Open workbin needs an interaction you hold: accept or park one first.
        </p>
      )}
    </section>
  );
}

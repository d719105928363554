/**
 * Workbins: the interactions the agent parked (from GET /me/interactions and WorkbinContent
 * notifications), and a form to list one workbin (GetWorkbinContent, which the API runs on an
 * interaction of the agent's: any they hold). The API has no operation to take one back.
 */
import { useSignal } from "@preact/signals";
import { customerName, mediaLabel } from "./format.ts";
import { lastError, operate, parked, work } from "./store.ts";

export function Workbins() {
  const name = useSignal("My workbin");
  const items = Object.values(parked.value);
  const anyId = Object.keys(work.value)[0] ?? items[0]?.id;
  return (
    <section class="workbins" aria-labelledby="workbins-title">
      <h2 id="workbins-title">Workbins</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (anyId === undefined) {
            lastError.value = "Open workbin: the API lists a workbin through an interaction you hold, and you hold none.";
            return;
          }
          void operate(anyId, { operationName: "GetWorkbinContent", workbin: name.value.trim() }, "Open workbin");
        }}
      >
        <label>
          Workbin
          <input value={name.value} onInput={(e) => (name.value = (e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Open workbin</button>
      </form>
      {items.length === 0 ? (
        <p class="empty">Nothing parked.</p>
      ) : (
        <ul class="parked">
          {items.map((ix) => (
            <li key={ix.id}>
              {customerName(ix)}{" "}
              <span class="muted">
                ({mediaLabel(ix.mediaType)}, {ix.workbin})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

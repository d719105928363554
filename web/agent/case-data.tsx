/**
 * The case data (attached data, `userData`): a key/value editor whose changes go out as
 * UpdateProperties; PropertiesUpdated notifications (anyone's change) update it.
 */
import { useSignal } from "@preact/signals";
import type { Interaction } from "../shared/agent-api.ts";
import { operate } from "./store.ts";

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** What the chat service attached for itself (GMS's fldn*, gms_*, the poke URL, _-prefixed keys): shown, not edited. */
const SERVICE_KEY = /^(fldn|gms_|_)|^poke_url$/;

export function CaseData(props: { interaction: Interaction }) {
  const ix = props.interaction;
  const newKey = useSignal("");
  const newValue = useSignal("");
  const all = Object.entries(ix.userData);
  const entries = all.filter(([key]) => !SERVICE_KEY.test(key));
  const service = all.filter(([key]) => SERVICE_KEY.test(key));
  const save = (properties: Record<string, unknown>, what: string) => operate(ix.id, { operationName: "UpdateProperties", properties }, what);
  return (
    <section class="case-data" aria-labelledby={`case-${ix.id}`}>
      <h3 id={`case-${ix.id}`}>Case data</h3>
      {entries.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <table class="kv">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>
                  <input
                    aria-label={`Value of ${key}`}
                    value={show(value)}
                    readOnly={typeof value === "object" && value !== null}
                    onChange={(e) => {
                      const next = (e.currentTarget as HTMLInputElement).value;
                      if (next !== show(value)) void save({ [key]: next }, `Saving ${key}`);
                    }}
                  />
                </td>
                <td>
                  <button type="button" class="small" aria-label={`Remove ${key}`} onClick={() => void save({ [key]: null }, `Removing ${key}`)}>
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {service.length > 0 && (
        <details class="service-data">
          <summary>From the chat service ({service.length})</summary>
          <dl>
            {service.map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd>{show(value)}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      <form
        class="kv-add"
        onSubmit={async (e) => {
          e.preventDefault();
          const key = newKey.value.trim();
          if (key === "") return;
          if (await save({ [key]: newValue.value }, `Saving ${key}`)) {
            newKey.value = "";
            newValue.value = "";
          }
        }}
      >
        <label>
          Key
          <input value={newKey.value} onInput={(e) => (newKey.value = (e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          Value
          <input value={newValue.value} onInput={(e) => (newValue.value = (e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Add</button>
      </form>
    </section>
  );
}

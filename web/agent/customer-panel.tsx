/**
 * The customer beside an interaction: their Context Services journey (services, states, tasks,
 * extensions) and earlier contact history with its transcripts. Found by the interaction's
 * verified `customerId`, else what the customer claimed (`unverifiedCustomerId`, an email:
 * shown as unverified); the agent may look anyone up by email or id.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { contextServices, type Interaction } from "../shared/agent-api.ts";
import { ApiError } from "../shared/http.ts";
import { email } from "./format.ts";

type Json = Record<string, unknown>;

interface Lookup {
  customerId: string | null;
  verified: boolean;
  how: string;
}

interface Found {
  profile: Json | null;
  services: Json[];
  history: Array<Json & { transcript?: string }>;
}

const enc = encodeURIComponent;

async function identify(address: string): Promise<string | null> {
  const matches = await contextServices<Array<{ customer_id: string }>>(`profiles?EmailAddress=${enc(address)}`);
  return matches[0]?.customer_id ?? null;
}

async function load(customerId: string): Promise<Found> {
  const profile = await contextServices<Json>(`profiles/${enc(customerId)}`).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  });
  const flags = "active_states=true&completed_states=true&active_tasks=true&completed_tasks=true&extensions=*";
  const [services, history] = await Promise.all([
    contextServices<Json[]>(`customers/${enc(customerId)}/services?${flags}`),
    contextServices<Json[]>(`customers/${enc(customerId)}/interactions`),
  ]);
  const recent = history.slice(-10).reverse();
  const withText = await Promise.all(
    recent.map(async (h) => {
      if (typeof h.text !== "string") return h;
      const transcript = await contextServices<unknown>(`interactions/${enc(String(h.interaction_id))}/plain_text`).catch(() => null);
      return typeof transcript === "string" ? { ...h, transcript } : h;
    }),
  );
  return { profile, services, history: withText };
}

function initialLookup(ix: Interaction): Lookup {
  if (ix.customerId !== null) return { customerId: ix.customerId, verified: true, how: "linked" };
  if (ix.unverifiedCustomerId !== null) return { customerId: ix.unverifiedCustomerId, verified: false, how: "claimed id" };
  return { customerId: null, verified: false, how: "email" };
}

export function CustomerPanel(props: { interaction: Interaction }) {
  const ix = props.interaction;
  const lookup = useSignal<Lookup>(initialLookup(ix));
  const found = useSignal<Found | null>(null);
  const status = useSignal<string>("");
  const query = useSignal("");
  /** The number of the latest lookup: an earlier one answering after it shows nothing. */
  const latest = useRef(0);

  const show = async (target: Lookup | { search: string }) => {
    const mine = ++latest.current;
    const current = () => mine === latest.current;
    found.value = null;
    status.value = "Looking up…";
    try {
      let l: Lookup;
      if ("search" in target) {
        const s = target.search.trim();
        l = s.includes("@") ? { customerId: await identify(s), verified: false, how: "search" } : { customerId: s, verified: false, how: "search" };
      } else if (target.customerId === null) {
        const address = email(ix);
        l = { ...target, customerId: address === null ? null : await identify(address) };
      } else l = target;
      if (!current()) return;
      lookup.value = l;
      if (l.customerId === null) {
        status.value = "No customer found.";
        return;
      }
      const f = await load(l.customerId);
      if (!current()) return;
      found.value = f;
      status.value = "";
    } catch (err) {
      if (current()) status.value = `Context Services: ${err instanceof Error ? err.message : String(err)}`;
    }
  };

  useEffect(() => {
    void show(initialLookup(ix));
  }, [ix.id, ix.customerId, ix.unverifiedCustomerId]);

  const l = lookup.value;
  const f = found.value;
  return (
    <section class="customer" aria-labelledby={`customer-${ix.id}`}>
      <h2 id={`customer-${ix.id}`}>Customer</h2>
      <form
        class="lookup"
        onSubmit={(e) => {
          e.preventDefault();
          if (query.value.trim() !== "") void show({ search: query.value });
        }}
      >
        <label>
          Find a customer
          <input value={query.value} placeholder="email or customer id" onInput={(e) => (query.value = (e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">Look up</button>
      </form>
      {status.value !== "" && (
        <p class="status" role="status">
          {status.value}
        </p>
      )}
      {l.customerId !== null && f !== null && (
        <>
          <p class="customer-id">
            <span>Customer {l.customerId}</span>{" "}
            {l.verified ? (
              <span class="badge verified">Verified</span>
            ) : (
              <span class="badge unverified" title="The customer claimed this identity; it was not proven">
                Unverified
              </span>
            )}
          </p>
          {f.profile !== null && <Profile profile={f.profile} />}
          <Journey services={f.services} />
          <History entries={f.history} />
        </>
      )}
    </section>
  );
}

const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const str = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function Profile({ profile }: { profile: Json }) {
  const fields = Object.entries(profile).filter(([k, v]) => k !== "customer_id" && scalar(v));
  if (fields.length === 0) return null;
  return (
    <dl class="facts profile">
      {fields.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{str(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What is not a documented field of a service, state or task: its extensions. */
const KNOWN = new Set([
  "service_id",
  "state_id",
  "task_id",
  "service_type",
  "state_type",
  "task_type",
  "customer_id",
  "contact_key",
  "started",
  "completed",
  "est_duration",
  "disposition",
  "disposition_desc",
  "previous_state_id",
  "active_states",
  "completed_states",
  "active_tasks",
  "completed_tasks",
]);

function Extensions({ of }: { of: Json }) {
  const ext = Object.entries(of).filter(([k]) => !KNOWN.has(k));
  if (ext.length === 0) return null;
  return (
    <ul class="extensions">
      {ext.map(([k, v]) => (
        <li key={k}>
          <span class="ext-name">{k}</span> <code>{str(v)}</code>
        </li>
      ))}
    </ul>
  );
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const when = (event: unknown) => {
  const ts = typeof event === "object" && event !== null ? (event as Json).timestamp : undefined;
  return typeof ts === "string" ? new Date(ts).toLocaleString() : "";
};

function Journey({ services }: { services: Json[] }) {
  return (
    <section aria-label="Journey">
      <h3>Journey</h3>
      {services.length === 0 && <p class="empty">No services.</p>}
      <ul class="services">
        {services.map((s) => {
          const states = [...list(s.completed_states), ...list(s.active_states)];
          const tasks = [...list(s.completed_tasks), ...list(s.active_tasks)];
          return (
            <li key={String(s.service_id)} class="service">
              <p>
                <strong>{str(s.service_type ?? "service")}</strong>{" "}
                {s.completed === undefined ? <span class="badge">active</span> : <span class="badge done">done</span>}{" "}
                <span class="muted">{when(s.started)}</span>
              </p>
              <Extensions of={s} />
              {states.length > 0 && (
                <ul class="states" aria-label="States">
                  {states.map((st) => (
                    <li key={`s${String(st.state_id)}`}>
                      State {str(st.state_type ?? st.state_id)} {st.completed === undefined ? "(active)" : "(done)"}
                      <Extensions of={st} />
                    </li>
                  ))}
                </ul>
              )}
              {tasks.length > 0 && (
                <ul class="tasks" aria-label="Tasks">
                  {tasks.map((t) => (
                    <li key={`t${String(t.task_id)}`}>
                      Task {str(t.task_type ?? t.task_id)} {t.completed === undefined ? "(active)" : "(done)"}
                      <Extensions of={t} />
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function History({ entries }: { entries: Array<Json & { transcript?: string }> }) {
  return (
    <section aria-label="Contact history">
      <h3>Contact history</h3>
      {entries.length === 0 && <p class="empty">No earlier contacts.</p>}
      <ul class="history">
        {entries.map((h) => (
          <li key={String(h.interaction_id)}>
            <details>
              <summary>
                {str(h.media_type ?? "")} {typeof h.start_date === "string" ? new Date(h.start_date).toLocaleString() : ""}
                {typeof h.subject === "string" ? ` – ${h.subject}` : ""}
              </summary>
              {h.transcript !== undefined ? <pre class="plain">{h.transcript}</pre> : <p class="empty">No transcript.</p>}
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

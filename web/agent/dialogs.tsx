/**
 * The dialogs of an interaction's toolbar: pick an agent (Transfer, Conference, from GET
 * /api/v2/agents), pick a queue (typed, with GET /api/v2/queues's names suggested), name a workbin, push a URL.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { type AgentSummary, listAgents, queueNames } from "../shared/agent-api.ts";
import { safeHttpUrl } from "../shared/links.ts";
import { Modal } from "./modal.tsx";
import { invite, operate, user } from "./store.ts";

function stateOf(agent: AgentSummary): string {
  const ready = agent.channels.filter((c) => c.userState.state === "Ready").map((c) => c.channel);
  return ready.length === 0 ? "Not Ready" : `Ready on ${ready.join(", ")}`;
}

const nameOf = (a: AgentSummary) => `${a.firstName} ${a.lastName}`.trim() || a.userName;

/** Transfer or Conference: the agents by name with their state; confirmed with a button of the same name. */
export function AgentDialog(props: { id: string; kind: "Transfer" | "Conference"; onClose: () => void }) {
  const agents = useSignal<AgentSummary[] | null>(null);
  const error = useSignal<string | null>(null);
  const choice = useSignal<string>("");
  useEffect(() => {
    listAgents()
      // Only those who can take work: an administrator without an agent role cannot.
      .then((list) => (agents.value = list.filter((a) => a.id !== user.value?.id && a.roles.some((r) => r === "ROLE_AGENT" || r === "ROLE_SUPERVISOR"))))
      .catch((err: unknown) => (error.value = `Could not list agents: ${err instanceof Error ? err.message : String(err)}`));
  }, []);
  const confirm = async (e: Event) => {
    e.preventDefault();
    const agent = agents.value?.find((a) => a.id === choice.value);
    if (agent === undefined) return;
    if (await invite(props.id, props.kind, agent.id, nameOf(agent))) props.onClose();
  };
  return (
    <Modal title={props.kind === "Transfer" ? "Transfer to an agent" : "Invite an agent to a conference"} onClose={props.onClose}>
      <form onSubmit={confirm}>
        {error.value !== null && <p role="alert">{error.value}</p>}
        {agents.value === null && error.value === null && <p>Loading agents…</p>}
        {agents.value !== null && agents.value.length === 0 && <p>No other agents.</p>}
        {agents.value !== null && agents.value.length > 0 && (
          <fieldset class="agent-list">
            <legend>Agent</legend>
            {agents.value.map((a) => {
              const name = nameOf(a);
              return (
                <label key={a.id} class="agent-choice">
                  <input type="radio" name="agent" value={a.id} checked={choice.value === a.id} onChange={() => (choice.value = a.id)} />
                  <span class="agent-name">{name}</span> <span class="agent-state">{stateOf(a)}</span>
                </label>
              );
            })}
          </fieldset>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={choice.value === ""}>
            {props.kind}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** One text field and a confirm button: queue, workbin, URL. */
function FieldDialog(props: {
  title: string;
  label: string;
  confirm: string;
  initial?: string;
  type?: "text" | "url";
  /** Values offered as the field is typed in (a datalist). */
  suggestions?: readonly string[];
  validate?: (value: string) => string | null;
  onConfirm: (value: string) => Promise<boolean>;
  onClose: () => void;
}) {
  const value = useSignal(props.initial ?? "");
  const error = useSignal<string | null>(null);
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const v = value.value.trim();
          const problem = v === "" ? `${props.label} is required.` : (props.validate?.(v) ?? null);
          error.value = problem;
          if (problem === null && (await props.onConfirm(v))) props.onClose();
        }}
      >
        <label class="field">
          {props.label}
          <input
            type="text"
            inputMode={props.type === "url" ? "url" : undefined}
            list={props.suggestions === undefined ? undefined : "field-dialog-suggestions"}
            value={value.value}
            aria-invalid={error.value !== null}
            onInput={(e) => (value.value = (e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        {props.suggestions !== undefined && (
          <datalist id="field-dialog-suggestions">
            {props.suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
        {error.value !== null && <p role="alert">{error.value}</p>}
        <div class="actions">
          <button type="submit" class="primary">
            {props.confirm}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

export const pushUrlDialog = (id: string, onClose: () => void) => (
  <FieldDialog
    title="Push a URL to the customer"
    label="URL"
    confirm="Push URL"
    type="url"
    validate={(v) => (safeHttpUrl(v) === null ? "Only http and https addresses can be pushed." : null)}
    onConfirm={(url) => operate(id, { operationName: "PushUrl", url }, "Push URL")}
    onClose={onClose}
  />
);

export const queueDialog = (id: string, onClose: () => void) => <QueueDialog id={id} onClose={onClose} />;

/** Place in queue: the queue typed, the existing ones suggested. */
function QueueDialog(props: { id: string; onClose: () => void }) {
  const names = useSignal<string[]>([]);
  useEffect(() => {
    queueNames()
      .then((list) => (names.value = list))
      // Without the list the name can still be typed.
      .catch(() => {});
  }, []);
  return (
    <FieldDialog
      title="Place in a queue"
      label="Queue"
      confirm="Place in queue"
      initial="default"
      suggestions={names.value}
      onConfirm={(queue) => operate(props.id, { operationName: "PlaceInQueue", queue }, "Place in queue")}
      onClose={props.onClose}
    />
  );
}

export const workbinDialog = (id: string, onClose: () => void) => (
  <FieldDialog
    title="Place in a workbin"
    label="Workbin"
    confirm="Place in workbin"
    initial="My workbin"
    onConfirm={(workbin) => operate(id, { operationName: "PlaceInWorkbin", workbin }, "Place in workbin")}
    onClose={onClose}
  />
);

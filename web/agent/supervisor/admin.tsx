/**
 * The administrator's forms in the supervisor view: create a user (POST /api/v2/users) and a
 * queue (POST /api/v2/queues). An error is shown as an alert; a success is announced in a
 * status region (always present, so screen readers hear its change).
 */
import { useState } from "preact/hooks";
import { request } from "../../shared/http.ts";
import { CHANNEL_LABELS, CHANNELS, parseSkills, type View } from "./data.ts";

const ROLE_LABELS = [
  ["ROLE_AGENT", "Agent"],
  ["ROLE_SUPERVISOR", "Supervisor"],
  ["ROLE_ADMIN", "Administrator"],
] as const;

const SKILLS_HINT = "Comma-separated, each name=level (level 0 to 10), for example billing=5, french=3.";

export function AdminForms({ onCreated }: { onCreated: (view: View) => void }) {
  return (
    <>
      <UserForm onCreated={() => onCreated("agents")} />
      <QueueForm onCreated={() => onCreated("queues")} />
    </>
  );
}

/** A form's submission state: busy while the request runs, then its error or success. */
function useSubmission() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState("");
  const submit = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setDone("");
    try {
      setDone(await work());
    } catch (err) {
      setError(err instanceof Error ? err.message : "Something went wrong");
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, submit };
}

function Outcome({ error, done }: { error: string | null; done: string }) {
  return (
    <>
      {error === null ? null : (
        <p role="alert" class="form-error">
          {error}
        </p>
      )}
      <p role="status" class="form-done">
        {done}
      </p>
    </>
  );
}

function UserForm({ onCreated }: { onCreated: () => void }) {
  const [userName, setUserName] = useState("");
  const [password, setPassword] = useState("");
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  const [roles, setRoles] = useState<string[]>(["ROLE_AGENT"]);
  const [skills, setSkills] = useState("");
  const [capacity, setCapacity] = useState<Record<string, string>>(() => Object.fromEntries(CHANNELS.map((c) => [c, "3"])));
  const { busy, error, done, submit } = useSubmission();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    void submit(async () => {
      if (roles.length === 0) throw new Error("Roles: choose at least one");
      const body = {
        userName: userName.trim(),
        password,
        firstName: firstName.trim(),
        lastName: lastName.trim(),
        roles,
        skills: parseSkills(skills),
        capacity: Object.fromEntries(CHANNELS.map((c) => [c, Number(capacity[c])])),
      };
      await request("api/v2/users", { method: "POST", json: body });
      onCreated();
      setUserName("");
      setPassword("");
      setFirstName("");
      setLastName("");
      setSkills("");
      return `User ${body.userName} created.`;
    });
  };

  return (
    <section class="supervisor-section" aria-labelledby="create-user">
      <h2 id="create-user">Create a user</h2>
      <form aria-labelledby="create-user" class="admin-form" onSubmit={onSubmit}>
        <div class="field">
          <label for="new-user-name">User name</label>
          <input id="new-user-name" required autocomplete="off" value={userName} onInput={(e) => setUserName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-user-password">Password</label>
          <input
            id="new-user-password"
            type="password"
            required
            minLength={8}
            autocomplete="new-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="new-user-first">First name</label>
          <input id="new-user-first" autocomplete="off" value={firstName} onInput={(e) => setFirstName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-user-last">Last name</label>
          <input id="new-user-last" autocomplete="off" value={lastName} onInput={(e) => setLastName(e.currentTarget.value)} />
        </div>
        <fieldset>
          <legend>Roles</legend>
          {ROLE_LABELS.map(([role, label]) => (
            <label class="check" key={role}>
              <input
                type="checkbox"
                checked={roles.includes(role)}
                onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, role] : roles.filter((r) => r !== role))}
              />{" "}
              {label}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="new-user-skills">Skills</label>
          <input id="new-user-skills" aria-describedby="new-user-skills-hint" value={skills} onInput={(e) => setSkills(e.currentTarget.value)} />
          <p id="new-user-skills-hint" class="hint">
            {SKILLS_HINT}
          </p>
        </div>
        <fieldset>
          <legend>Capacity per channel</legend>
          {CHANNELS.map((c) => (
            <div class="field inline" key={c}>
              <label for={`new-user-capacity-${c}`}>{CHANNEL_LABELS[c]}</label>
              <input
                id={`new-user-capacity-${c}`}
                type="number"
                min={0}
                max={100}
                required
                value={capacity[c]}
                onInput={(e) => setCapacity({ ...capacity, [c]: e.currentTarget.value })}
              />
            </div>
          ))}
        </fieldset>
        <button type="submit" disabled={busy}>
          Create user
        </button>
        <Outcome error={error} done={done} />
      </form>
    </section>
  );
}

function QueueForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [skills, setSkills] = useState("");
  const { busy, error, done, submit } = useSubmission();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    void submit(async () => {
      const body = { name: name.trim(), skills: parseSkills(skills) };
      await request("api/v2/queues", { method: "POST", json: body });
      onCreated();
      setName("");
      setSkills("");
      return `Queue ${body.name} created.`;
    });
  };

  return (
    <section class="supervisor-section" aria-labelledby="create-queue">
      <h2 id="create-queue">Create a queue</h2>
      <form aria-labelledby="create-queue" class="admin-form" onSubmit={onSubmit}>
        <div class="field">
          <label for="new-queue-name">Queue name</label>
          <input id="new-queue-name" required autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-queue-skills">Skills</label>
          <input id="new-queue-skills" aria-describedby="new-queue-skills-hint" value={skills} onInput={(e) => setSkills(e.currentTarget.value)} />
          <p id="new-queue-skills-hint" class="hint">
            Agents need each skill at this level or above. {SKILLS_HINT}
          </p>
        </div>
        <button type="submit" disabled={busy}>
          Create queue
        </button>
        <Outcome error={error} done={done} />
      </form>
    </section>
  );
}

/**
 * The supervisor view inside /agent (ROLE_SUPERVISOR, ROLE_ADMIN): live queues and agents, and
 * the admin's forms. It reads GET /api/v2/queues and GET /api/v2/agents, and again whenever a
 * `SupervisorChange` notice on /v2/supervisor/changes names one of them (coalesced by the
 * server) and after every new CometD handshake (notices may have been missed meanwhile). The
 * longest wait ticks locally between reads.
 *
 * Fixed interface (tests and screen readers use it): a heading "Queues" over a table of one row
 * per queue (queue, waiting, longest wait m:ss, qualified agents, ready agents), a heading
 * "Agents" over a table of one row per agent.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Comet } from "../../shared/cometd.ts";
import { ApiError } from "../../shared/http.ts";
import { AdminForms } from "./admin.tsx";
import {
  type AgentRow,
  CHANNEL_LABELS,
  CHANNELS,
  changedViews,
  displayName,
  minutesSeconds,
  type QueueRow,
  readAgents,
  readQueues,
  SUPERVISOR_CHANNEL,
  type View,
} from "./data.ts";
import "./supervisor.css";

export interface SupervisorViewProps {
  /** The logged-in user (their roles decide what the view offers: admins also create users and queues). */
  user: { id: string; userName: string; roles: string[] };
  /** The page's CometD connection to /api/v2/notifications. */
  comet: Comet;
}

export function SupervisorView({ user, comet }: SupervisorViewProps) {
  const supervises = user.roles.includes("ROLE_SUPERVISOR") || user.roles.includes("ROLE_ADMIN");
  const live = useLiveViews(comet, supervises);
  if (!supervises) return null;
  return (
    <div class="supervisor-view">
      {live.error === null ? null : (
        <p role="alert" class="supervisor-error">
          {live.error}
        </p>
      )}
      <QueuesTable queues={live.queues} readAt={live.queuesReadAt} />
      <AgentsTable agents={live.agents} />
      {user.roles.includes("ROLE_ADMIN") ? <AdminForms onCreated={(view) => live.refresh([view])} /> : null}
    </div>
  );
}

interface LiveViews {
  queues: QueueRow[] | null;
  /** performance.now() when the queues were read: the longest wait ticks on from there. */
  queuesReadAt: number;
  agents: AgentRow[] | null;
  error: string | null;
  refresh(views: readonly View[]): void;
}

/** Reads queues and agents, then again on each notice and handshake; one read of a view at a time, the last request always served. */
function useLiveViews(comet: Comet, enabled: boolean): LiveViews {
  const [queues, setQueues] = useState<{ rows: QueueRow[]; at: number } | null>(null);
  const [agents, setAgents] = useState<AgentRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Made by the effect, so a re-run gets new ones (the cleanup stops the old for good); null between.
  const readers = useRef<Readers | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const all: View[] = ["agents", "queues"];
    const current = makeReaders(setQueues, setAgents, setError);
    readers.current = current;
    const unsubscribe = comet.subscribe(SUPERVISOR_CHANNEL, (data) => current.refresh(changedViews(data)));
    const forget = comet.onHandshake(() => current.refresh(all));
    current.refresh(all);
    return () => {
      unsubscribe();
      forget();
      current.stop();
      if (readers.current === current) readers.current = null;
    };
  }, [comet, enabled]);
  useEffect(() => {
    if (queues !== null && agents !== null) readers.current?.cleared();
  }, [queues, agents]);
  const refresh = useCallback((views: readonly View[]) => readers.current?.refresh(views), []);
  return { queues: queues?.rows ?? null, queuesReadAt: queues?.at ?? 0, agents, error, refresh };
}

interface Readers {
  refresh(views: readonly View[]): void;
  stop(): void;
  cleared(): void;
}

/** Readers of the queues and agents into the view's state, until stopped. */
function makeReaders(
  setQueues: (queues: { rows: QueueRow[]; at: number }) => void,
  setAgents: (agents: AgentRow[]) => void,
  setError: (error: string | null) => void,
): Readers {
  let active = true;
  const fail = (err: unknown) => {
    if (active) setError(err instanceof ApiError || err instanceof Error ? `Could not read the live view: ${err.message}` : "Could not read the live view");
  };
  const queuesReader = serial(async () => {
    const rows = await readQueues();
    if (active) setQueues({ rows, at: performance.now() });
  }, fail);
  const agentsReader = serial(async () => {
    const rows = await readAgents();
    if (active) setAgents(rows);
  }, fail);
  return {
    refresh(views) {
      if (!active) return;
      if (views.includes("queues")) queuesReader();
      if (views.includes("agents")) agentsReader();
    },
    stop() {
      active = false;
    },
    cleared() {
      if (active) setError(null);
    },
  };
}

/** `read` one at a time: a call while one runs makes one more run after it (so the latest state is read). */
function serial(read: () => Promise<void>, fail: (err: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          await read();
        } catch (err) {
          fail(err);
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => void run();
}

/** Seconds since `since` (performance.now()), ticking every second. */
function useSecondsSince(since: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, (Math.max(now, since) - since) / 1000);
}

function QueuesTable({ queues, readAt }: { queues: QueueRow[] | null; readAt: number }) {
  const elapsed = useSecondsSince(readAt);
  return (
    <section class="supervisor-section" aria-labelledby="supervisor-queues">
      <h2 id="supervisor-queues">Queues</h2>
      {queues === null ? (
        <p>Loading…</p>
      ) : (
        <div class="table-scroll">
          <table aria-labelledby="supervisor-queues">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Waiting</th>
                <th scope="col">Longest wait</th>
                <th scope="col">Qualified agents</th>
                <th scope="col">Ready agents</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.name}>
                  <th scope="row">{q.name}</th>
                  <td class="number">{q.waiting}</td>
                  <td class="number">{minutesSeconds(q.waiting > 0 ? q.longestWaitSeconds + elapsed : 0)}</td>
                  <td class="number">{q.agents.qualified}</td>
                  <td class="number">{q.agents.ready}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AgentsTable({ agents }: { agents: AgentRow[] | null }) {
  return (
    <section class="supervisor-section" aria-labelledby="supervisor-agents">
      <h2 id="supervisor-agents">Agents</h2>
      {agents === null ? (
        <p>Loading…</p>
      ) : (
        <div class="table-scroll">
          <table aria-labelledby="supervisor-agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                {CHANNELS.map((c) => (
                  <th scope="col" key={c}>
                    {CHANNEL_LABELS[c]}
                  </th>
                ))}
                <th scope="col">Interactions</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((agent) => (
                <tr key={agent.id}>
                  <th scope="row">
                    {displayName(agent)}
                    <span class="user-name"> ({agent.userName})</span>
                  </th>
                  {CHANNELS.map((c) => (
                    <td key={c}>
                      <ChannelCell agent={agent} channel={c} />
                    </td>
                  ))}
                  <td>
                    {agent.interactions === undefined || agent.interactions.length === 0 ? (
                      <span class="none">None</span>
                    ) : (
                      <ul class="interactions">
                        {agent.interactions.map((ix) => (
                          <li key={ix.id}>
                            {CHANNEL_LABELS[ix.mediaType as keyof typeof CHANNEL_LABELS] ?? ix.mediaType}, {ix.state}, queue {ix.queue}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChannelCell({ agent, channel }: { agent: AgentRow; channel: (typeof CHANNELS)[number] }) {
  const state = agent.channels.find((c) => c.channel === channel)?.userState;
  const capacity = agent.capacity?.[channel];
  const load = agent.load?.[channel] ?? 0;
  return (
    <>
      <span class={state?.state === "Ready" ? "state ready" : "state"}>
        {state === undefined ? "Unknown" : state.displayName}
        {state?.reason === undefined ? null : ` (${state.reason})`}
      </span>{" "}
      {capacity === undefined ? null : (
        <span class="load">
          <span class="visually-hidden">load </span>
          {load}/{capacity}
        </span>
      )}
    </>
  );
}

/**
 * Agent state: Ready and Not Ready (with a reason) on every channel at once, a toggle per
 * channel, and how long each channel has been in its state. Kept current by
 * ChannelStateChangeMessageV2 notifications (the server may make the agent NotReady).
 */
import { useSignal } from "@preact/signals";
import { clock } from "./format.ts";
import { channels, now, reasons, setState, stateSince } from "./store.ts";

export function StateBar() {
  const reason = useSignal(reasons.value[0]?.reason ?? "Break");
  const list = channels.value;
  const allReady = list.length > 0 && list.every((c) => c.userState.state === "Ready");
  return (
    <section class="state-bar" aria-label="Your state">
      <div class="state-all">
        <button type="button" class={allReady ? "state-on" : ""} aria-pressed={allReady} onClick={() => void setState(true)}>
          Ready
        </button>
        <button type="button" onClick={() => void setState(false, reason.value)}>
          Not Ready
        </button>
        <label class="reason">
          <span class="visually-hidden">Not Ready reason</span>
          <select value={reason.value} onChange={(e) => (reason.value = (e.currentTarget as HTMLSelectElement).value)}>
            {reasons.value.map((r) => (
              <option key={r.reason} value={r.reason}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ul class="channels">
        {list.map((c) => {
          const ready = c.userState.state === "Ready";
          const since = stateSince.value[c.channel] ?? now.value;
          return (
            <li key={c.channel} class={ready ? "channel ready" : "channel"}>
              <button
                type="button"
                class="channel-toggle"
                aria-pressed={ready}
                aria-label={`Ready on ${c.channel}`}
                onClick={() => void setState(!ready, reason.value, c.channel)}
              >
                {c.channel}
              </button>
              <span
                class="channel-state"
                data-channel={c.channel}
                title={ready || c.userState.reason === undefined ? undefined : `Not Ready (${c.userState.reason})`}
              >
                <span class="state-name">{ready ? "Ready" : "Not Ready"}</span>
                {/* The reason is heard and shown on hover, not spelled out: the header stays on one line. */}
                {!ready && c.userState.reason !== undefined && <span class="visually-hidden"> ({c.userState.reason})</span>}{" "}
                <time class="elapsed">{clock(now.value - since)}</time>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

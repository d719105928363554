import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentInteraction } from "./agent-interactions.ts";
import type { ChannelState } from "./agent-state.ts";
import { defaultPolicy } from "./queue-policy.ts";
import { AFTER_CALL_WORK, reportChannels, wrapUpAfter, type WrapUp } from "./wrap-up.ts";

const T = Date.parse("2026-03-01T10:00:00.000Z");
const completed = { id: "ix1", mediaType: "chat", queue: "vip" } as AgentInteraction;

describe("wrapUpAfter", () => {
  it("holds the slot for the queue's wrapUpSeconds from the completion", () => {
    assert.deepEqual(wrapUpAfter(completed, "ann", { ...defaultPolicy("vip"), wrapUpSeconds: 30 }, T), {
      interactionId: "ix1",
      userId: "ann",
      channel: "chat",
      queue: "vip",
      startedAt: T,
      endsAt: T + 30_000,
    });
  });

  it("makes none for a queue without wrap-up", () => {
    assert.equal(wrapUpAfter(completed, "ann", defaultPolicy("vip"), T), null);
  });
});

describe("reportChannels", () => {
  const ready: ChannelState = { channel: "chat", state: "Ready", reason: null, changedAt: T - 60_000 };
  const wrapUp = (startedAt: number, endsAt: number, channel: WrapUp["channel"] = "chat"): WrapUp => ({
    interactionId: `ix${startedAt}`,
    userId: "ann",
    channel,
    queue: "vip",
    startedAt,
    endsAt,
  });

  it("reports a Ready channel with running wrap-ups as AfterCallWork until the last of them ends", () => {
    const [chat] = reportChannels([ready], [wrapUp(T, T + 30_000), wrapUp(T + 5000, T + 35_000)]);
    assert.deepEqual(chat, { channel: "chat", state: "NotReady", reason: AFTER_CALL_WORK, changedAt: T, wrapUpEndsAt: T + 35_000 });
  });

  it("leaves NotReady channels, and channels without a wrap-up, as stored", () => {
    const notReady: ChannelState = { channel: "chat", state: "NotReady", reason: "Lunch", changedAt: T };
    assert.deepEqual(reportChannels([notReady], [wrapUp(T, T + 30_000)]), [{ ...notReady, wrapUpEndsAt: null }]);
    assert.deepEqual(reportChannels([ready], [wrapUp(T, T + 30_000, "email")]), [{ ...ready, wrapUpEndsAt: null }]);
  });
});

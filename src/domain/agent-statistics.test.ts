import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentStatistics, checkStatisticsDate, stateTransitions, type StateLogRow } from "./agent-statistics.ts";
import { startOfDay } from "./calendar.ts";
import type { ReportedChannel } from "./wrap-up.ts";

const MIN = 60_000;
// 10:00 in Paris (UTC+1) on 5 December 2026: the day started at 23:00 UTC on the 4th.
const NOW = Date.UTC(2026, 11, 5, 9, 0);
const SINCE = startOfDay(NOW, "Europe/Paris");

const row = (
  state: StateLogRow["state"],
  reason: string | null,
  startedAt: number,
  endedAt: number | null,
  channel: StateLogRow["channel"] = "chat",
): StateLogRow => ({
  userId: "ann",
  channel,
  state,
  reason,
  startedAt,
  endedAt,
});

describe("agentStatistics", () => {
  it("counts only the part of each state inside the day (midnight in the time zone, not UTC), an open one until now", () => {
    assert.equal(SINCE, Date.UTC(2026, 11, 4, 23, 0));
    const rows = [
      // Ready from 22:00 UTC (before the Paris midnight) to 23:30 UTC: 30 minutes of it are today.
      row("Ready", null, SINCE - 60 * MIN, SINCE + 30 * MIN),
      row("NotReady", "Lunch", SINCE + 30 * MIN, SINCE + 75 * MIN),
      row("AfterCallWork", "AfterCallWork", SINCE + 75 * MIN, SINCE + 76 * MIN),
      row("Ready", null, SINCE + 76 * MIN, null),
      row("NotReady", "Break", SINCE, SINCE + 10 * MIN, "email"),
    ];
    const stats = agentStatistics(rows, [], SINCE, NOW);
    const chat = stats.channels.find((c) => c.channel === "chat");
    assert.deepEqual(chat?.states, [
      { state: "Ready", reason: null, seconds: (30 + (600 - 76)) * 60 },
      { state: "NotReady", reason: "Lunch", seconds: 45 * 60 },
      { state: "AfterCallWork", reason: "AfterCallWork", seconds: 60 },
    ]);
    assert.equal(chat?.wrapUpSeconds, 60);
    assert.deepEqual(stats.channels.find((c) => c.channel === "email")?.states, [{ state: "NotReady", reason: "Break", seconds: 600 }]);
    assert.deepEqual(
      stats.channels.map((c) => c.channel),
      ["chat", "openmedia", "email", "sms"],
    );
    assert.deepEqual([stats.since, stats.until, stats.wrapUpSeconds], [SINCE, NOW, 60]);
  });

  it("starts again at the next midnight: yesterday's states are not today's", () => {
    const rows = [row("NotReady", "Lunch", SINCE - 120 * MIN, SINCE - 60 * MIN), row("Ready", null, SINCE - 60 * MIN, null)];
    const tomorrow = startOfDay(NOW + 86_400_000, "Europe/Paris");
    const stats = agentStatistics(rows, [], tomorrow, tomorrow + 5 * MIN);
    assert.deepEqual(stats.channels[0]?.states, [{ state: "Ready", reason: null, seconds: 300 }]);
  });

  it("totals the interactions handled and averages the handle time of those with an accept time", () => {
    const stats = agentStatistics(
      [],
      [
        { channel: "chat", count: 3, timed: 2, handleMs: 300_000 },
        { channel: "openmedia", count: 1, timed: 1, handleMs: 60_000 },
      ],
      SINCE,
      NOW,
    );
    assert.deepEqual([stats.interactionsHandled, stats.averageHandleSeconds], [4, 120]);
    assert.deepEqual([stats.channels[0]?.interactionsHandled, stats.channels[0]?.averageHandleSeconds], [3, 150]);
    assert.equal(stats.channels[2]?.averageHandleSeconds, null, "none handled: no average");
  });
});

describe("stateTransitions", () => {
  const channel = (over: Partial<ReportedChannel>): ReportedChannel => ({
    channel: "chat",
    state: "Ready",
    reason: null,
    changedAt: 0,
    wrapUpEndsAt: null,
    ...over,
  });

  it("logs every channel whose state or reason moved, after-call work as its own state", () => {
    const ready = channel({});
    const wrapping = channel({ state: "NotReady", reason: "AfterCallWork", wrapUpEndsAt: 5 });
    const lunch = channel({ state: "NotReady", reason: "Lunch" });
    assert.deepEqual(stateTransitions([ready], [wrapping]), [{ channel: "chat", state: "AfterCallWork", reason: "AfterCallWork" }]);
    assert.deepEqual(stateTransitions([wrapping], [lunch]), [{ channel: "chat", state: "NotReady", reason: "Lunch" }]);
    assert.deepEqual(stateTransitions([lunch], [channel({ state: "NotReady", reason: "Break" })]), [{ channel: "chat", state: "NotReady", reason: "Break" }]);
  });

  it("logs nothing when nothing moved (Ready again, or a second wrap-up on a channel already in it)", () => {
    assert.deepEqual(stateTransitions([channel({})], [channel({ changedAt: 9 })]), []);
    const wrapping = channel({ state: "NotReady", reason: "AfterCallWork", wrapUpEndsAt: 5 });
    assert.deepEqual(stateTransitions([wrapping], [{ ...wrapping, wrapUpEndsAt: 9 }]), []);
  });
});

describe("checkStatisticsDate", () => {
  it("takes today or nothing, and refuses any other date with invalid_input", () => {
    assert.equal(checkStatisticsDate(undefined), "today");
    assert.equal(checkStatisticsDate("today"), "today");
    assert.throws(() => checkStatisticsDate("2026-01-01"), { code: "invalid_input" });
  });
});

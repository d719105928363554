import assert from "node:assert/strict";
import { test } from "node:test";
import { isTimeZone, startOfDay } from "./calendar.ts";

test("startOfDay: midnight in UTC", () => {
  assert.equal(startOfDay(Date.UTC(2026, 11, 5, 16, 30), "UTC"), Date.UTC(2026, 11, 5));
});

test("startOfDay: midnight on the configured wall clock, not UTC's", () => {
  // 23:30 UTC on 5 December is 00:30 on 6 December in Paris (UTC+1).
  assert.equal(startOfDay(Date.UTC(2026, 11, 5, 23, 30), "Europe/Paris"), Date.UTC(2026, 11, 5, 23, 0));
  // 03:00 UTC is still 4 December in New York (UTC-5).
  assert.equal(startOfDay(Date.UTC(2026, 11, 5, 3, 0), "America/New_York"), Date.UTC(2026, 11, 4, 5, 0));
});

test("startOfDay: a day that changes its offset starts at its own midnight", () => {
  // 29 March 2026, Paris moves from UTC+1 to UTC+2 at 02:00 local: midnight was 23:00 UTC the day before.
  assert.equal(startOfDay(Date.UTC(2026, 2, 29, 20, 0), "Europe/Paris"), Date.UTC(2026, 2, 28, 23, 0));
});

test("isTimeZone", () => {
  assert.equal(isTimeZone("Europe/Paris"), true);
  assert.equal(isTimeZone("Mars/Olympus"), false);
});

/**
 * Days as a contact center counts them: "today" starts at midnight in the configured time zone
 * (STATISTICS_TIME_ZONE), not in UTC, so a supervisor's day matches their wall clock.
 */

/** Whether `timeZone` is an IANA name this runtime knows ("Europe/Paris", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Epoch ms of the last midnight at or before `now` in `timeZone`. */
export function startOfDay(now: number, timeZone: string): number {
  const offset = offsetMs(now, timeZone);
  const local = now + offset;
  const localMidnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  // The offset at midnight may differ from now's (a DST change during the day).
  return localMidnight - offsetMs(localMidnight - offset, timeZone);
}

const DAY_MS = 86_400_000;

/** Local time minus UTC at `at`, in ms. */
function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return asUtc - (at - (at % 1000));
}

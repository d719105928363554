/** Suites that need a service (PostgreSQL, Redis) that may be absent. */
import { describe, it } from "node:test";

/**
 * `describe(name, body)`, or, when `skip` gives a reason, one skipped test under that name: the
 * runner's summary counts skipped tests, not skipped suites, and a missing service must never
 * look like a pass.
 */
export function describeWith(name: string, skip: string | false, body: () => void): void {
  if (skip !== false) {
    it(name, { skip }, () => {});
    return;
  }
  describe(name, body);
}

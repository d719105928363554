/** Suites that need a service (PostgreSQL, Redis) that may be absent. */
import { describe, it } from "node:test";
import pg from "pg";

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

/** Drops a test run's PostgreSQL schema (what its nodes created), if it exists. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

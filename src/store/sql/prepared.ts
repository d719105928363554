/**
 * Hot queries compiled once. Building and compiling a Kysely query costs a few microseconds
 * each time; for the statements every request runs, the SQL text is compiled once per dialect
 * and only the parameters change. Kept for the few queries a profile shows are worth it.
 */
import type { CompiledQuery, Kysely } from "kysely";
import type { Database } from "./schema.ts";

const compiled = new Map<string, CompiledQuery>();

/** Runs `build(db)` compiled once per dialect and name, with these parameters in its order. */
export async function runPrepared<R>(
  db: Kysely<Database>,
  dialect: string,
  name: string,
  build: (db: Kysely<Database>) => { compile(): CompiledQuery<R> },
  parameters: readonly unknown[],
): Promise<R[]> {
  const key = `${dialect}:${name}`;
  let query = compiled.get(key) as CompiledQuery<R> | undefined;
  if (query === undefined) {
    query = build(db).compile();
    compiled.set(key, query);
  }
  const result = await db.executeQuery<R>({ ...query, parameters });
  return result.rows;
}

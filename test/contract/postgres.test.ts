/** The store contract on PostgreSQL, in a schema of its own that is dropped afterwards. */
import { randomBytes } from "node:crypto";
import { after } from "node:test";
import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres.ts";
import { storeContract } from "./store.contract.ts";

const url = process.env.TEST_DATABASE_URL;
const schema = `parley_test_${randomBytes(6).toString("hex")}`;

storeContract(
  "postgres",
  () => openPostgresStore({ url: url ?? "", schema }),
  url === undefined || url === "" ? "TEST_DATABASE_URL is not set: PostgreSQL contract not run" : false,
);

after(async () => {
  if (url === undefined || url === "") return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
});

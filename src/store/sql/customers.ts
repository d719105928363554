/** Customer profiles in SQL, with their identification keys kept in `customer_keys`. */
import type { Kysely, Selectable } from "kysely";
import type { Customer, IdentificationKey } from "../../domain/customers.ts";
import { parseJsonObject } from "../../domain/json.ts";
import type { CustomerStore } from "../store.ts";
import { UniqueViolation } from "../store.ts";
import type { CustomersTable, Database } from "./schema.ts";
import { int } from "./values.ts";

const KEY_ROWS_PER_INSERT = 500;

export class SqlCustomerStore implements CustomerStore {
  private readonly db: Kysely<Database>;
  private readonly isUniqueViolation: (err: unknown) => boolean;

  constructor(db: Kysely<Database>, isUniqueViolation: (err: unknown) => boolean) {
    this.db = db;
    this.isUniqueViolation = isUniqueViolation;
  }

  async insert(c: Customer, keys: IdentificationKey[]): Promise<void> {
    try {
      await this.db
        .insertInto("customers")
        .values({
          id: c.id,
          attributes: JSON.stringify(c.attributes),
          extensions: JSON.stringify(c.extensions),
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute();
    } catch (err) {
      if (this.isUniqueViolation(err)) throw new UniqueViolation(`customer ${c.id}`);
      throw err;
    }
    await this.insertKeys(c.id, keys);
  }

  async get(id: string): Promise<Customer | null> {
    const row = await this.db.selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toCustomer(row);
  }

  async delete(id: string): Promise<boolean> {
    await this.db.deleteFrom("customer_keys").where("customer_id", "=", id).execute();
    const result = await this.db.deleteFrom("customers").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async update(c: Customer, keys: IdentificationKey[]): Promise<void> {
    await this.db
      .updateTable("customers")
      .set({
        attributes: JSON.stringify(c.attributes),
        extensions: JSON.stringify(c.extensions),
        updated_at: c.updatedAt,
      })
      .where("id", "=", c.id)
      .execute();
    await this.db.deleteFrom("customer_keys").where("customer_id", "=", c.id).execute();
    await this.insertKeys(c.id, keys);
  }

  async identify(keys: IdentificationKey[], limit: number): Promise<string[]> {
    const [first, ...rest] = keys;
    if (first === undefined) return [];
    // Customers holding the first key, narrowed by each further key.
    let query = this.db
      .selectFrom("customer_keys as k0")
      .innerJoin("customers as c", "c.id", "k0.customer_id")
      .select("c.id")
      .where("k0.name", "=", first.name)
      .where("k0.value", "=", first.value);
    for (const key of rest) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("customer_keys as k")
            .select("k.customer_id")
            .whereRef("k.customer_id", "=", "c.id")
            .where("k.name", "=", key.name)
            .where("k.value", "=", key.value),
        ),
      );
    }
    const rows = await query.orderBy("c.created_at").orderBy("c.id").limit(limit).execute();
    return rows.map((r) => r.id);
  }

  private async insertKeys(customerId: string, keys: IdentificationKey[]): Promise<void> {
    // Three bound values a row: chunks stay far below SQLite's 32,766 variables per statement.
    for (let i = 0; i < keys.length; i += KEY_ROWS_PER_INSERT) {
      await this.db
        .insertInto("customer_keys")
        .values(keys.slice(i, i + KEY_ROWS_PER_INSERT).map((k) => ({ customer_id: customerId, name: k.name, value: k.value })))
        .execute();
    }
  }
}

function toCustomer(row: Selectable<CustomersTable>): Customer {
  return {
    id: row.id,
    attributes: parseJsonObject(row.attributes),
    extensions: parseJsonObject(row.extensions),
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
  };
}

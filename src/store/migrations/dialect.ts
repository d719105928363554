/** The database a migration writes for: the index passes it, each migration reads it. */
export type Dialect = "sqlite" | "postgres";

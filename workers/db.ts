import { getTableColumns, getTableName } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

export type Db = ReturnType<typeof drizzle>;

const cache = new WeakMap<D1Database, Db>();

/** One drizzle instance per D1 binding per isolate. */
export function db(env: Env): Db {
  let hit = cache.get(env.DB);
  if (!hit) {
    hit = drizzle(env.DB);
    cache.set(env.DB, hit);
  }
  return hit;
}

/**
 * A CTE that reads rows of `table` from one JSON array parameter (`?1`, each element a row
 * object keyed as the schema's fields): `WITH r AS (<this>)`. D1 allows 100 bound parameters
 * per statement, so a batch of rows travels as one JSON text, whatever its size.
 */
export function jsonRowsSource<T extends SQLiteTable>(table: T): string {
  const columns = Object.entries(getTableColumns(table)).map(
    ([key, column]) => `json_extract(value, '$.${key}') AS "${column.name}"`,
  );
  return `SELECT ${columns.join(", ")} FROM json_each(?1)`;
}

/**
 * Inserts the rows of the CTE `r` (see jsonRowsSource) into `table`; a row whose key is already
 * there is left alone. `fixed` sets a column to an SQL expression instead.
 */
export function jsonRowsInsert<T extends SQLiteTable>(
  table: T,
  fixed: Record<string, string> = {},
): string {
  const names = Object.values(getTableColumns(table)).map((c) => c.name);
  const values = names.map((name) => fixed[name] ?? `"${name}"`);
  const quoted = names.map((name) => `"${name}"`);
  return `WITH r AS (${jsonRowsSource(table)})
    INSERT INTO "${getTableName(table)}" (${quoted.join(", ")})
    SELECT ${values.join(", ")} FROM r WHERE true ON CONFLICT DO NOTHING`;
}

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
 * An INSERT of one row of `table`, its SQL built once from the schema (a row whose key is
 * already there is left alone, so a retried write is harmless). For log rows written on every
 * request, where building the query per row costs more than the write.
 */
export function rowInsert<T extends SQLiteTable>(table: T) {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, column]) => `"${column.name}"`).join(", ");
  const slots = columns.map(() => "?").join(", ");
  return {
    sql: `INSERT INTO "${getTableName(table)}" (${names}) VALUES (${slots}) ON CONFLICT DO NOTHING`,
    /** The row's values in the statement's column order, as D1 takes them (booleans as 0/1). */
    values(row: T["$inferInsert"]): unknown[] {
      const values: Record<string, unknown> = row;
      return columns.map(([key, column]) => {
        const value = values[key] ?? column.default ?? null;
        return value === null ? null : column.mapToDriverValue(value);
      });
    },
  };
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

import { drizzle } from "drizzle-orm/d1";

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

// Writing a batch of buffered log rows to D1. Everything happens in one D1 batch (one
// transaction): the rows are inserted if new, rows not yet counted are added to the daily
// rollups and marked counted, and keys' last-used times move forward. A retried flush
// therefore neither logs nor counts anything twice. The row insert's SQL is built once from
// the schema, not by the query builder for every row (the flush runs for every request).
import { eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type LlmRequestRow, llmRequests, virtualKeys } from "../d1/schema";
import { rowInsert } from "../workers/db";

const insertRow = rowInsert(llmRequests);

export async function writeLogRows(d1: D1Database, rows: LlmRequestRow[]): Promise<void> {
  if (rows.length === 0) return;
  const db = drizzle(d1);
  const ids = rows.map((r) => r.id);
  const lastUsed = new Map<string, number>();
  for (const row of rows) {
    for (const keyId of [row.virtualKeyId, row.passthroughKeyId]) {
      if (keyId) lastUsed.set(keyId, Math.max(lastUsed.get(keyId) ?? 0, row.createdAt));
    }
  }
  const insert = d1.prepare(insertRow.sql);
  const inserts = rows.map((row) => insert.bind(...insertRow.values(row)));
  const rollup = d1
    .prepare(`
    INSERT INTO usage_daily (day, org_id, user_id, team_id, proxy_id, model, virtual_key_id,
      billing_mode, requests, input_tokens, output_tokens, cache_write_5m_tokens,
      cache_write_1h_tokens, cache_read_tokens, cost_micro_usd, list_cost_micro_usd,
      unpriced_requests)
    SELECT date(created_at / 1000, 'unixepoch'), org_id, coalesce(user_id, ''), '', proxy_id,
      coalesce(model, ''), coalesce(virtual_key_id, passthrough_key_id, ''), billing_mode,
      count(*), sum(input_tokens), sum(output_tokens), sum(cache_write_5m_tokens),
      sum(cache_write_1h_tokens), sum(cache_read_tokens), sum(coalesce(cost_micro_usd, 0)),
      sum(coalesce(list_cost_micro_usd, 0)), sum(cost_micro_usd IS NULL)
    FROM llm_requests
    WHERE rolled_up = 0 AND id IN (${ids.map(() => "?").join(", ")})
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (day, org_id, user_id, team_id, proxy_id, model, virtual_key_id, billing_mode)
    DO UPDATE SET
      requests = requests + excluded.requests,
      input_tokens = input_tokens + excluded.input_tokens,
      output_tokens = output_tokens + excluded.output_tokens,
      cache_write_5m_tokens = cache_write_5m_tokens + excluded.cache_write_5m_tokens,
      cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
      cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
      cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd,
      list_cost_micro_usd = list_cost_micro_usd + excluded.list_cost_micro_usd,
      unpriced_requests = unpriced_requests + excluded.unpriced_requests`)
    .bind(...ids);
  const markCounted = statement(
    d1,
    db.update(llmRequests).set({ rolledUp: true }).where(inArray(llmRequests.id, ids)),
  );
  const touches = [...lastUsed].map(([id, at]) =>
    statement(
      d1,
      db
        .update(virtualKeys)
        .set({ lastUsedAt: sql`max(coalesce(${virtualKeys.lastUsedAt}, 0), ${at})` })
        .where(eq(virtualKeys.id, id)),
    ),
  );
  await d1.batch([...inserts, rollup, markCounted, ...touches]);
}

/** A drizzle query as a D1 statement, so raw SQL can share its batch (one transaction). */
function statement(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  return d1.prepare(text).bind(...params);
}

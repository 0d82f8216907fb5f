// Writes a batch of telemetry messages to D1 in one transaction with a constant number of
// statements, whatever the batch's size: the rows travel as one JSON parameter per chunk,
// expanded in SQL with json_each. Per chunk of LLM rows, three statements: the daily rollups
// take the rows not yet stored, then the rows are inserted (already counted), then keys'
// last-used times move forward. Per chunk of tool calls, one insert. Delivery is at least once:
// a row already stored is neither inserted nor counted again, so redelivery is harmless. While
// an organisation captures content, one more insert per chunk keeps prompts and completions.
import { type LlmPayload, llmPayloads, llmRequests, mcpToolCalls } from "../../d1/schema";
import { jsonRowsInsert, jsonRowsSource } from "../db";
import type { TelemetryMessage } from "./message";

/** D1 takes strings up to 2 MB; a chunk's JSON stays under it even if every character took 3 bytes. */
export const CHUNK_CHARS = 600_000;

const LLM_ROWS = `WITH r AS (${jsonRowsSource(llmRequests)})`;

const ROLLUP = `${LLM_ROWS}
  INSERT INTO usage_daily (day, org_id, user_id, team_id, proxy_id, model, virtual_key_id,
    billing_mode, requests, input_tokens, output_tokens, cache_write_5m_tokens,
    cache_write_1h_tokens, cache_read_tokens, cost_micro_usd, list_cost_micro_usd,
    unpriced_requests)
  SELECT date(created_at / 1000, 'unixepoch'), org_id, coalesce(user_id, ''), '', proxy_id,
    coalesce(model, ''), coalesce(virtual_key_id, passthrough_key_id, ''), billing_mode,
    count(*), sum(input_tokens), sum(output_tokens), sum(cache_write_5m_tokens),
    sum(cache_write_1h_tokens), sum(cache_read_tokens), sum(coalesce(cost_micro_usd, 0)),
    sum(coalesce(list_cost_micro_usd, 0)), sum(cost_micro_usd IS NULL)
  FROM r
  WHERE NOT EXISTS (SELECT 1 FROM llm_requests l WHERE l.id = r.id)
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
    unpriced_requests = unpriced_requests + excluded.unpriced_requests`;

const INSERT_LLM = jsonRowsInsert(llmRequests, { rolled_up: "1" });

const TOUCH_KEYS = `${LLM_ROWS},
  used AS (
    SELECT virtual_key_id AS id, created_at AS at FROM r WHERE virtual_key_id IS NOT NULL
    UNION ALL
    SELECT passthrough_key_id, created_at FROM r WHERE passthrough_key_id IS NOT NULL)
  UPDATE virtual_keys SET last_used_at = max(coalesce(last_used_at, 0), t.at)
  FROM (SELECT id, max(at) AS at FROM used GROUP BY id) AS t
  WHERE virtual_keys.id = t.id`;

const INSERT_TOOL_CALLS = jsonRowsInsert(mcpToolCalls);
const INSERT_PAYLOADS = jsonRowsInsert(llmPayloads);

/** The statements that store `messages`, in order; run them in one D1 batch. */
export function telemetryStatements(d1: D1Database, messages: TelemetryMessage[]) {
  const llm: unknown[] = [];
  const tools: unknown[] = [];
  const payloads: LlmPayload[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    // The same row twice in one batch (a send retried after an unclear failure) counts once.
    if (seen.has(m.row.id)) continue;
    seen.add(m.row.id);
    if (m.kind === "mcp_tool_call") {
      tools.push(m.row);
      continue;
    }
    llm.push(m.row);
    const content = m.span.content;
    if (content) {
      const { id, orgId, createdAt } = m.row;
      const { input = null, output = null } = content;
      payloads.push({ requestId: id, orgId, createdAt, request: input, response: output });
    }
  }
  const statements: D1PreparedStatement[] = [];
  for (const chunk of chunks(llm)) {
    statements.push(
      d1.prepare(ROLLUP).bind(chunk),
      d1.prepare(INSERT_LLM).bind(chunk),
      d1.prepare(TOUCH_KEYS).bind(chunk),
    );
  }
  for (const chunk of chunks(tools)) statements.push(d1.prepare(INSERT_TOOL_CALLS).bind(chunk));
  for (const chunk of chunks(payloads)) statements.push(d1.prepare(INSERT_PAYLOADS).bind(chunk));
  return statements;
}

/** Stores `messages` in one transaction; throws (and stores nothing) if D1 refuses any. */
export async function writeTelemetry(d1: D1Database, messages: TelemetryMessage[]): Promise<void> {
  const statements = telemetryStatements(d1, messages);
  if (statements.length > 0) await d1.batch(statements);
}

/** Rows as JSON array texts of at most CHUNK_CHARS characters each. */
function chunks(rows: unknown[]): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (parts.length > 0 && size + text.length + 1 > CHUNK_CHARS) {
      out.push(`[${parts.join(",")}]`);
      parts = [];
      size = 2;
    }
    parts.push(text);
    size += text.length + 1;
  }
  if (parts.length > 0) out.push(`[${parts.join(",")}]`);
  return out;
}

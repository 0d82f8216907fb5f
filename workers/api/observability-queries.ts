// The SQL behind /api/observability: request and tool-call figures per time bucket, their
// percentiles (window functions, as D1 is SQLite), errors by type, recent requests, filter
// options, and a request's trace. Every statement is scoped to one organisation and a bounded
// time range, so it walks the (org, time) indexes; the route checks the range before calling.
import type {
  McpCallOutcome,
  ObservabilityFilterOptions,
  ObservedError,
  ObservedRequest,
  Percentiles,
  RequestOutcome,
  TraceItem,
} from "../../shared/api-types";

export const REQUEST_OUTCOMES: readonly RequestOutcome[] = [
  "ok",
  "client_error",
  "server_error",
  "refused",
  "client_gone",
];
export const TOOL_OUTCOMES: readonly McpCallOutcome[] = [
  "ok",
  "tool_error",
  "upstream_error",
  "timeout",
  "refused",
];

/**
 * A request's outcome from its row (see RequestOutcome). The gateway's own refusals are the
 * 4xx answers without a first byte from the provider: the provider's own 4xx always has one.
 */
const outcomeOf = (t = "") => `CASE
  WHEN ${t}client_gone = 1 THEN 'client_gone'
  WHEN ${t}status BETWEEN 400 AND 499 AND ${t}ttfb_ms IS NULL THEN 'refused'
  WHEN ${t}status BETWEEN 400 AND 499 THEN 'client_error'
  WHEN ${t}status >= 500 OR ${t}status < 100 OR ${t}error_type IS NOT NULL THEN 'server_error'
  ELSE 'ok'
END`;
const OUTCOME = outcomeOf();

/** Input tokens as the GenAI conventions count them: with cache reads and writes. */
const INPUT_TOKENS =
  "input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens";

export interface Scope {
  orgId: string;
  /** [from, to), epoch ms. */
  from: number;
  to: number;
  userId?: string | undefined;
  agentId?: string | undefined;
  model?: string | undefined;
  proxyId?: string | undefined;
  gatewayId?: string | undefined;
}

interface Where {
  sql: string;
  binds: unknown[];
}

function llmWhere(s: Scope, table = ""): Where {
  const col = (name: string) => `${table}${name}`;
  const conds = [`${col("org_id")} = ?`, `${col("created_at")} >= ?`, `${col("created_at")} < ?`];
  const binds: unknown[] = [s.orgId, s.from, s.to];
  const optional: [string, string | undefined][] = [
    ["user_id", s.userId],
    ["agent_id", s.agentId],
    ["model", s.model],
    ["proxy_id", s.proxyId],
  ];
  for (const [name, value] of optional) {
    if (value === undefined) continue;
    conds.push(`${col(name)} = ?`);
    binds.push(value);
  }
  return { sql: conds.join(" AND "), binds };
}

function toolWhere(s: Scope): Where {
  const conds = ["org_id = ?", "at >= ?", "at < ?"];
  const binds: unknown[] = [s.orgId, s.from, s.to];
  if (s.userId !== undefined) {
    conds.push("user_id = ?");
    binds.push(s.userId);
  }
  if (s.gatewayId !== undefined) {
    conds.push("gateway_id = ?");
    binds.push(s.gatewayId);
  }
  return { sql: conds.join(" AND "), binds };
}

/**
 * Nearest-rank p50 and p95 of `x` per (metric, at), over a CTE named `v` with those columns,
 * plus the whole range's under `at = -1`. The rank of pN among n values is ceil(n·N/100).
 */
function percentilesOf(valuesCte: string): string {
  return `WITH ${valuesCte},
  scoped AS (SELECT at, metric, x FROM v UNION ALL SELECT -1, metric, x FROM v),
  ranked AS (
    SELECT at, metric, x,
      ROW_NUMBER() OVER (PARTITION BY metric, at ORDER BY x) AS rn,
      COUNT(*) OVER (PARTITION BY metric, at) AS n
    FROM scoped
  )
  SELECT at, metric, n,
    MIN(CASE WHEN rn = (n * 50 + 99) / 100 THEN x END) AS p50,
    MIN(CASE WHEN rn = (n * 95 + 99) / 100 THEN x END) AS p95
  FROM ranked GROUP BY metric, at`;
}

/** Bucket sizes are whole milliseconds from a fixed table, so they go into the SQL as literals. */
const bucketOf = (column: string, bucketMs: number) =>
  `(${column} / ${Math.trunc(bucketMs)}) * ${Math.trunc(bucketMs)}`;

export interface CountRow {
  at: number;
  outcome: string;
  n: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

export interface PercentileRow {
  at: number;
  metric: string;
  n: number;
  p50: number | null;
  p95: number | null;
}

export interface ErrorRow {
  error_type: string;
  outcome: string;
  n: number;
  last_at: number;
}

interface RequestRow {
  id: string;
  created_at: number;
  endpoint: ObservedRequest["endpoint"];
  proxy_id: string;
  user_id: string | null;
  user_email: string | null;
  agent_id: string | null;
  model: string | null;
  billing_mode: ObservedRequest["billingMode"];
  streamed: number;
  status: number;
  error_type: string | null;
  outcome: RequestOutcome;
  input_tokens: number;
  output_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  cache_read_tokens: number;
  cost_micro_usd: number | null;
  ttfb_ms: number | null;
  duration_ms: number;
  overhead_ms: number | null;
  client_gone: number;
  conversation_id: string | null;
  trace_id: string | null;
  upstream_request_id: string | null;
}

const REQUEST_COLUMNS = `r.id, r.created_at, r.endpoint, r.proxy_id, r.user_id, u.email AS user_email,
  r.agent_id, r.model, r.billing_mode, r.streamed, r.status, r.error_type,
  ${outcomeOf("r.")} AS outcome,
  r.input_tokens, r.output_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens,
  r.cache_read_tokens, r.cost_micro_usd, r.ttfb_ms, r.duration_ms, r.overhead_ms, r.client_gone,
  r.conversation_id, r.trace_id, r.upstream_request_id`;

export function requestView(r: RequestRow): ObservedRequest {
  return {
    id: r.id,
    createdAt: r.created_at,
    endpoint: r.endpoint,
    proxyId: r.proxy_id,
    userId: r.user_id,
    userEmail: r.user_email,
    agentId: r.agent_id,
    model: r.model,
    billingMode: r.billing_mode,
    streamed: r.streamed === 1,
    status: r.status,
    errorType: r.error_type,
    outcome: r.outcome,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheWrite5mTokens: r.cache_write_5m_tokens,
    cacheWrite1hTokens: r.cache_write_1h_tokens,
    cacheReadTokens: r.cache_read_tokens,
    costMicroUsd: r.cost_micro_usd,
    unpriced: r.cost_micro_usd === null,
    ttfbMs: r.ttfb_ms,
    durationMs: r.duration_ms,
    overheadMs: r.overhead_ms,
    clientGone: r.client_gone === 1,
    conversationId: r.conversation_id,
    traceId: r.trace_id,
    upstreamRequestId: r.upstream_request_id,
  };
}

export const RECENT_MAX = 25;
export const ERRORS_MAX = 50;

/** The summary's statements, run as one D1 batch (one round trip). */
export async function summaryRows(db: D1Database, s: Scope, bucketMs: number) {
  const llm = llmWhere(s);
  const tool = toolWhere(s);
  const at = bucketOf("created_at", bucketMs);
  const toolAt = bucketOf("at", bucketMs);
  const [counts, latency, errors, toolCounts, toolLatency, recent] = await db.batch([
    db
      .prepare(
        `SELECT ${at} AS at, ${OUTCOME} AS outcome, COUNT(*) AS n,
          SUM(${INPUT_TOKENS}) AS input_tokens, SUM(output_tokens) AS output_tokens,
          SUM(COALESCE(cost_micro_usd, 0)) AS cost
        FROM llm_requests WHERE ${llm.sql} GROUP BY 1, 2`,
      )
      .bind(...llm.binds),
    db
      .prepare(
        percentilesOf(`base AS (
          SELECT ${at} AS at, ttfb_ms, duration_ms, overhead_ms, output_tokens, streamed
          FROM llm_requests
          WHERE ${llm.sql} AND endpoint = 'messages' AND ${OUTCOME} <> 'refused'
        ),
        v AS (
          SELECT at, 'ttfbMs' AS metric, ttfb_ms AS x FROM base WHERE ttfb_ms IS NOT NULL
          UNION ALL SELECT at, 'durationMs', duration_ms FROM base
          UNION ALL SELECT at, 'overheadMs', overhead_ms FROM base WHERE overhead_ms IS NOT NULL
          UNION ALL SELECT at, 'outputTokensPerSecond', output_tokens * 1000.0 / (
              CASE WHEN streamed = 1 AND ttfb_ms IS NOT NULL AND duration_ms > ttfb_ms
                THEN duration_ms - ttfb_ms ELSE duration_ms END)
            FROM base WHERE output_tokens > 0 AND duration_ms > 0
        )`),
      )
      .bind(...llm.binds),
    db
      .prepare(
        `SELECT COALESCE(error_type, CASE WHEN client_gone = 1 THEN 'client_gone' ELSE 'http_' || status END) AS error_type, ${OUTCOME} AS outcome,
          COUNT(*) AS n, MAX(created_at) AS last_at
        FROM llm_requests
        WHERE ${llm.sql} AND (status >= 400 OR status < 100 OR error_type IS NOT NULL OR client_gone = 1)
        GROUP BY 1, 2 ORDER BY n DESC, last_at DESC LIMIT ${ERRORS_MAX}`,
      )
      .bind(...llm.binds),
    db
      .prepare(
        `SELECT ${toolAt} AS at, outcome, COUNT(*) AS n
        FROM mcp_tool_calls WHERE ${tool.sql} GROUP BY 1, 2`,
      )
      .bind(...tool.binds),
    db
      .prepare(
        percentilesOf(`v AS (
          SELECT ${toolAt} AS at, 'durationMs' AS metric, duration_ms AS x
          FROM mcp_tool_calls WHERE ${tool.sql}
        )`),
      )
      .bind(...tool.binds),
    db
      .prepare(
        `SELECT ${REQUEST_COLUMNS}
        FROM llm_requests r LEFT JOIN users u ON u.id = r.user_id
        WHERE ${llmWhere(s, "r.").sql}
        ORDER BY r.created_at DESC, r.id DESC LIMIT ${RECENT_MAX}`,
      )
      .bind(...llm.binds),
  ]);
  return {
    counts: resultsOf<CountRow>(counts),
    latency: resultsOf<PercentileRow>(latency),
    errors: resultsOf<ErrorRow>(errors),
    toolCounts: resultsOf<CountRow>(toolCounts),
    toolLatency: resultsOf<PercentileRow>(toolLatency),
    recent: resultsOf<RequestRow>(recent).map(requestView),
  };
}

function resultsOf<T>(result: D1Result | undefined): T[] {
  return (result?.results ?? []) as T[];
}

export function errorView(r: ErrorRow): ObservedError {
  return {
    errorType: r.error_type,
    outcome: r.outcome as RequestOutcome,
    count: r.n,
    lastAt: r.last_at,
  };
}

export function percentiles(row: PercentileRow | undefined): Percentiles {
  return { p50: row?.p50 ?? null, p95: row?.p95 ?? null, count: row?.n ?? 0 };
}

const OPTIONS_MAX = 200;

/** People, agents, models and proxies seen in requests of the range; gateways in tool calls. */
export async function filterOptions(
  db: D1Database,
  orgId: string,
  from: number,
  to: number,
): Promise<ObservabilityFilterOptions> {
  const llm = "org_id = ? AND created_at >= ? AND created_at < ?";
  const binds = [orgId, from, to];
  const [people, agents, models, proxies, gateways] = await db.batch([
    db
      .prepare(
        `WITH seen AS (
          SELECT DISTINCT user_id AS id FROM llm_requests WHERE ${llm} AND user_id IS NOT NULL
          UNION SELECT DISTINCT user_id FROM mcp_tool_calls WHERE org_id = ? AND at >= ? AND at < ?
        )
        SELECT seen.id, u.email, u.name FROM seen
        LEFT JOIN users u ON u.id = seen.id AND u.org_id = ?
        ORDER BY COALESCE(u.email, seen.id) LIMIT ${OPTIONS_MAX}`,
      )
      .bind(...binds, ...binds, orgId),
    db
      .prepare(
        `SELECT DISTINCT agent_id AS value FROM llm_requests
        WHERE ${llm} AND agent_id IS NOT NULL ORDER BY 1 LIMIT ${OPTIONS_MAX}`,
      )
      .bind(...binds),
    db
      .prepare(
        `SELECT DISTINCT model AS value FROM llm_requests
        WHERE ${llm} AND model IS NOT NULL ORDER BY 1 LIMIT ${OPTIONS_MAX}`,
      )
      .bind(...binds),
    db
      .prepare(
        `WITH seen AS (SELECT DISTINCT proxy_id AS id FROM llm_requests WHERE ${llm})
        SELECT seen.id, p.name FROM seen
        LEFT JOIN llm_proxies p ON p.id = seen.id AND p.org_id = ?
        ORDER BY COALESCE(p.name, seen.id) LIMIT ${OPTIONS_MAX}`,
      )
      .bind(...binds, orgId),
    db
      .prepare(
        `WITH seen AS (
          SELECT gateway_id AS id, MAX(gateway_slug) AS slug FROM mcp_tool_calls
          WHERE org_id = ? AND at >= ? AND at < ? GROUP BY gateway_id
        )
        SELECT seen.id, seen.slug, g.name FROM seen
        LEFT JOIN mcp_gateways g ON g.id = seen.id AND g.org_id = ?
        ORDER BY seen.slug LIMIT ${OPTIONS_MAX}`,
      )
      .bind(...binds, orgId),
  ]);
  const values = (r: D1Result | undefined) =>
    resultsOf<{ value: string }>(r).map((row) => row.value);
  return {
    people: resultsOf<{ id: string; email: string | null; name: string | null }>(people),
    agents: values(agents),
    models: values(models),
    proxies: resultsOf<{ id: string; name: string | null }>(proxies),
    gateways: resultsOf<{ id: string; slug: string; name: string | null }>(gateways),
  };
}

/** One request of the organisation, its captured content, and the capture setting. */
export async function requestWithPayload(db: D1Database, orgId: string, id: string) {
  const [request, payload, org] = await db.batch([
    db
      .prepare(
        `SELECT ${REQUEST_COLUMNS} FROM llm_requests r LEFT JOIN users u ON u.id = r.user_id
        WHERE r.id = ? AND r.org_id = ?`,
      )
      .bind(id, orgId),
    db
      .prepare("SELECT request, response FROM llm_payloads WHERE request_id = ? AND org_id = ?")
      .bind(id, orgId),
    db.prepare("SELECT capture_content FROM organisations WHERE id = ?").bind(orgId),
  ]);
  const row = resultsOf<RequestRow>(request)[0];
  return {
    request: row ? requestView(row) : undefined,
    payload: resultsOf<{ request: string | null; response: string | null }>(payload)[0] ?? null,
    captureContent: resultsOf<{ capture_content: number }>(org)[0]?.capture_content === 1,
  };
}

export const TRACE_WINDOW_MS = 2 * 3_600_000;
export const TRACE_MAX_ITEMS = 200;

interface TraceLlmRow {
  id: string;
  created_at: number;
  duration_ms: number;
  ttfb_ms: number | null;
  overhead_ms: number | null;
  outcome: RequestOutcome;
  status: number;
  error_type: string | null;
  model: string | null;
  user_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_micro_usd: number | null;
}

interface TraceToolRow {
  id: string;
  at: number;
  duration_ms: number;
  outcome: McpCallOutcome;
  error: string | null;
  tool: string;
  server_name: string | null;
  gateway_slug: string;
  user_id: string;
}

/**
 * The LLM requests and tool calls sharing `column` = `key` with a request at `at`, within the
 * trace window around it: the TRACE_MAX_ITEMS nearest in time, in time order.
 */
export async function traceItems(
  db: D1Database,
  orgId: string,
  column: "conversation_id" | "trace_id",
  key: string,
  at: number,
): Promise<{ items: TraceItem[]; truncated: boolean; windowFrom: number; windowTo: number }> {
  const windowFrom = at - TRACE_WINDOW_MS;
  const windowTo = at + TRACE_WINDOW_MS;
  const limit = TRACE_MAX_ITEMS + 1;
  const [llm, tools] = await db.batch([
    db
      .prepare(
        `SELECT id, created_at, duration_ms, ttfb_ms, overhead_ms, ${OUTCOME} AS outcome, status,
          error_type, model, user_id, ${INPUT_TOKENS} AS input_tokens, output_tokens, cost_micro_usd
        FROM llm_requests
        WHERE org_id = ? AND ${column} = ? AND created_at BETWEEN ? AND ?
        ORDER BY ABS(created_at - ?), id LIMIT ${limit}`,
      )
      .bind(orgId, key, windowFrom, windowTo, at),
    db
      .prepare(
        `SELECT id, at, duration_ms, outcome, error, tool, server_name, gateway_slug, user_id
        FROM mcp_tool_calls
        WHERE org_id = ? AND ${column} = ? AND at BETWEEN ? AND ?
        ORDER BY ABS(at - ?), id LIMIT ${limit}`,
      )
      .bind(orgId, key, windowFrom, windowTo, at),
  ]);
  const llmRows = resultsOf<TraceLlmRow>(llm);
  const toolRows = resultsOf<TraceToolRow>(tools);
  const all: TraceItem[] = [...llmRows.map(llmItem), ...toolRows.map(toolItem)];
  // Nearest first, so a cut keeps what surrounds the request; then back into time order.
  all.sort((a, b) => Math.abs(a.startedAt - at) - Math.abs(b.startedAt - at));
  const items = all.slice(0, TRACE_MAX_ITEMS).sort(inTimeOrder);
  return {
    items,
    truncated: llmRows.length === limit || toolRows.length === limit || all.length > items.length,
    windowFrom,
    windowTo,
  };
}

/** Start time, then the LLM request before a tool call started in the same millisecond. */
export function inTimeOrder(a: TraceItem, b: TraceItem): number {
  if (a.startedAt !== b.startedAt) return a.startedAt - b.startedAt;
  if (a.kind !== b.kind) return a.kind === "llm_request" ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A request as the only item of its trace (it has no conversation or trace id). */
export function requestItem(r: ObservedRequest): TraceItem {
  return {
    kind: "llm_request",
    id: r.id,
    startedAt: r.createdAt,
    durationMs: r.durationMs,
    ttfbMs: r.ttfbMs,
    overheadMs: r.overheadMs,
    outcome: r.outcome,
    status: r.status,
    errorType: r.errorType,
    model: r.model,
    userId: r.userId,
    inputTokens: r.inputTokens + r.cacheReadTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens,
    outputTokens: r.outputTokens,
    costMicroUsd: r.costMicroUsd,
  };
}

function llmItem(r: TraceLlmRow): TraceItem {
  return {
    kind: "llm_request",
    id: r.id,
    startedAt: r.created_at,
    durationMs: r.duration_ms,
    ttfbMs: r.ttfb_ms,
    overheadMs: r.overhead_ms,
    outcome: r.outcome,
    status: r.status,
    errorType: r.error_type,
    model: r.model,
    userId: r.user_id,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costMicroUsd: r.cost_micro_usd,
  };
}

function toolItem(r: TraceToolRow): TraceItem {
  return {
    kind: "tool_call",
    id: r.id,
    startedAt: r.at,
    durationMs: r.duration_ms,
    outcome: r.outcome,
    error: r.error,
    tool: r.tool,
    serverName: r.server_name,
    gatewaySlug: r.gateway_slug,
    userId: r.user_id,
  };
}

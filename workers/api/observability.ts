// /api/observability: the organisation's own observability from its D1 log rows, for those
// without an OTLP collector: requests and tool calls over time (by outcome, with latency
// percentiles and tokens per second), errors by type, the filters' choices, and one request's
// trace (the LLM requests and tool calls of its conversation). Permission log:read.
import type { Context } from "hono";
import { z } from "zod";
import type {
  McpCallOutcome,
  ObservabilityBucket,
  ObservabilitySummary,
  ObservedRequestDetail,
  RequestBucket,
  RequestFigures,
  RequestOutcome,
  ToolCallBucket,
  ToolCallFigures,
} from "../../shared/api-types";
import type { AppEnv } from "../app-env";
import { notFound } from "../errors";
import {
  type CountRow,
  errorView,
  filterOptions,
  type PercentileRow,
  percentiles,
  REQUEST_OUTCOMES,
  requestItem,
  requestWithPayload,
  type Scope,
  summaryRows,
  TOOL_OUTCOMES,
  TRACE_WINDOW_MS,
  traceItems,
} from "./observability-queries";
import { route } from "./route";
import { Id } from "./schemas";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const BUCKET_MS: Record<ObservabilityBucket, number> = {
  "1m": MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "1h": HOUR,
  "6h": 6 * HOUR,
  "1d": DAY,
};
const BUCKETS = Object.keys(BUCKET_MS) as [ObservabilityBucket, ...ObservabilityBucket[]];

/** The longest range one call may cover: it bounds every statement's scan. */
export const MAX_RANGE_MS = 31 * DAY;
/** A chosen bucket size gives at most this many buckets; a given one at most MAX_BUCKETS. */
const AUTO_BUCKETS = 200;
const MAX_BUCKETS = 1_500;
const DEFAULT_RANGE_MS = DAY;

const Time = z.union([
  z.coerce.number().int().min(0).max(8_640_000_000_000_000),
  z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
]);

const Range = {
  from: Time.optional(),
  to: Time.optional(),
};

/** Fills in the default range (the last 24 hours) and checks it is ordered and bounded. */
function withRange<T extends { from?: number | undefined; to?: number | undefined }>(
  q: T,
  ctx: z.RefinementCtx,
) {
  const to = q.to ?? (q.from !== undefined ? Math.max(Date.now(), q.from + 1) : Date.now());
  const from = q.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    return z.NEVER;
  }
  if (to - from > MAX_RANGE_MS) {
    ctx.addIssue({
      code: "custom",
      path: ["from"],
      message: `the range from 'from' to 'to' may cover at most ${MAX_RANGE_MS / DAY} days`,
    });
    return z.NEVER;
  }
  return { ...q, from, to };
}

const SummaryQuery = z
  .object({
    ...Range,
    bucket: z.enum(BUCKETS).optional(),
    userId: Id.optional(),
    agentId: z.string().min(1).max(200).optional(),
    model: z.string().min(1).max(300).optional(),
    proxyId: Id.optional(),
    gatewayId: Id.optional(),
  })
  .transform(withRange)
  .transform((q, ctx) => {
    const bucket = q.bucket ?? autoBucket(q.to - q.from);
    const count = bucketCount(q.from, q.to, BUCKET_MS[bucket]);
    if (count > MAX_BUCKETS) {
      ctx.addIssue({
        code: "custom",
        path: ["bucket"],
        message: `${bucket} buckets over this range would be ${count}; at most ${MAX_BUCKETS}: choose a larger bucket`,
      });
      return z.NEVER;
    }
    return { ...q, bucket };
  });

const FilterQuery = z.object(Range).transform(withRange);

/** The smallest bucket that keeps the chart under AUTO_BUCKETS points. */
export function autoBucket(rangeMs: number): ObservabilityBucket {
  return BUCKETS.find((b) => rangeMs / BUCKET_MS[b] <= AUTO_BUCKETS) ?? "1d";
}

function bucketCount(from: number, to: number, size: number): number {
  return Math.floor((to - 1) / size) - Math.floor(from / size) + 1;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function emptyFigures(): RequestFigures {
  return {
    requests: zeroes(REQUEST_OUTCOMES),
    total: 0,
    inputTokens: 0,
    outputTokens: 0,
    costMicroUsd: 0,
    ttfbMs: percentiles(undefined),
    durationMs: percentiles(undefined),
    overheadMs: percentiles(undefined),
    outputTokensPerSecond: percentiles(undefined),
  };
}

function emptyToolFigures(): ToolCallFigures {
  return { calls: zeroes(TOOL_OUTCOMES), total: 0, durationMs: percentiles(undefined) };
}

/** Percentile rows by "metric at" (the whole range's under at = -1). */
function byMetric(rows: PercentileRow[]) {
  const map = new Map(rows.map((r) => [`${r.metric} ${r.at}`, r]));
  return (metric: string, at: number) => percentiles(map.get(`${metric} ${at}`));
}

function latencyAt(get: ReturnType<typeof byMetric>, at: number) {
  return {
    ttfbMs: get("ttfbMs", at),
    durationMs: get("durationMs", at),
    overheadMs: get("overheadMs", at),
    outputTokensPerSecond: get("outputTokensPerSecond", at),
  };
}

function addCounts(f: RequestFigures, r: CountRow) {
  const outcome = r.outcome as RequestOutcome;
  f.requests[outcome] = (f.requests[outcome] ?? 0) + r.n;
  f.total += r.n;
  f.inputTokens += r.input_tokens;
  f.outputTokens += r.output_tokens;
  f.costMicroUsd += r.cost;
}

async function summary(c: Context<AppEnv>, scope: Scope, bucket: ObservabilityBucket) {
  const size = BUCKET_MS[bucket];
  const rows = await summaryRows(c.env.DB, scope, size);
  const latency = byMetric(rows.latency);
  const toolLatency = byMetric(rows.toolLatency);
  // Every bucket of the range, empty ones included, so charts show the quiet times as zero.
  const first = Math.floor(scope.from / size) * size;
  const starts = Array.from({ length: bucketCount(scope.from, scope.to, size) }, (_, i) => {
    return first + i * size;
  });
  const requestBuckets = new Map<number, RequestBucket>(
    starts.map((at) => [at, { at, ...emptyFigures(), ...latencyAt(latency, at) }]),
  );
  const totals: RequestFigures = { ...emptyFigures(), ...latencyAt(latency, -1) };
  for (const r of rows.counts) {
    const b = requestBuckets.get(r.at);
    if (b) addCounts(b, r);
    addCounts(totals, r);
  }
  const toolBuckets = new Map<number, ToolCallBucket>(
    starts.map((at) => [
      at,
      { at, ...emptyToolFigures(), durationMs: toolLatency("durationMs", at) },
    ]),
  );
  const toolTotals: ToolCallFigures = {
    ...emptyToolFigures(),
    durationMs: toolLatency("durationMs", -1),
  };
  for (const r of rows.toolCounts) {
    const outcome = r.outcome as McpCallOutcome;
    for (const f of [toolBuckets.get(r.at), toolTotals]) {
      if (!f) continue;
      f.calls[outcome] = (f.calls[outcome] ?? 0) + r.n;
      f.total += r.n;
    }
  }
  const body: ObservabilitySummary = {
    from: scope.from,
    to: scope.to,
    bucket,
    bucketMs: size,
    requests: { buckets: [...requestBuckets.values()], totals },
    errors: rows.errors.map(errorView),
    toolCalls: { buckets: [...toolBuckets.values()], totals: toolTotals },
    recent: rows.recent,
  };
  return body;
}

export const observabilityRoutes = [
  route({
    method: "get",
    path: "/observability/summary",
    summary:
      "Requests and MCP tool calls over time (by outcome, p50/p95 latency, tokens per second), errors by type and recent requests; at most 31 days",
    access: "log:read",
    query: SummaryQuery,
    async handler(c, { query }) {
      const { bucket, ...scope } = query;
      return c.json(await summary(c, { ...scope, orgId: c.get("user").orgId }, bucket));
    },
  }),
  route({
    method: "get",
    path: "/observability/filters",
    summary: "People, agents, models, proxies and MCP gateways seen in a time range, for filtering",
    access: "log:read",
    query: FilterQuery,
    async handler(c, { query }) {
      return c.json(await filterOptions(c.env.DB, c.get("user").orgId, query.from, query.to));
    },
  }),
  route({
    method: "get",
    path: "/observability/requests/:id",
    summary:
      "One LLM request with its captured content and its trace: the LLM requests and MCP tool calls of its conversation, in time order",
    access: "log:read",
    async handler(c) {
      const orgId = c.get("user").orgId;
      const id = Id.safeParse(c.req.param("id"));
      const found = id.success ? await requestWithPayload(c.env.DB, orgId, id.data) : undefined;
      const request = found?.request;
      if (!found || !request) throw notFound("No such request in this organisation's log.");
      const by = request.conversationId ? "conversation" : request.traceId ? "trace" : "request";
      const key = request.conversationId || request.traceId || null;
      const trace = key
        ? await traceItems(
            c.env.DB,
            orgId,
            by === "conversation" ? "conversation_id" : "trace_id",
            key,
            request.createdAt,
          )
        : {
            items: [requestItem(request)],
            truncated: false,
            windowFrom: request.createdAt - TRACE_WINDOW_MS,
            windowTo: request.createdAt + TRACE_WINDOW_MS,
          };
      const body: ObservedRequestDetail = {
        request,
        payload: found.payload,
        captureContent: found.captureContent,
        trace: { by, key, ...trace },
      };
      return c.json(body);
    },
  }),
];

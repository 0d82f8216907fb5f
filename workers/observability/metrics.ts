// Telemetry messages → OTLP metrics with delta temporality: each export carries what its batch
// added, aggregated by attribute set. Models, proxies, agents, gateways and outcomes are
// labels; people, keys, teams and conversations never are (cardinality, and privacy).
import type { TelemetryMessage } from "../telemetry/message";
import { Gatehouse, MetricName, Semconv, SemconvValue } from "./attributes";
import {
  AggregationTemporality,
  Attributes,
  type HistogramDataPoint,
  msToNanos,
  type NumberDataPoint,
  type OtlpAttribute,
  type OtlpMetric,
} from "./otlp-model";
import { refusalReason } from "./refusal";

/** Bucket boundaries the GenAI conventions advise for durations (s). */
const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;
/** ...and for token counts. */
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
/** The MCP conventions' boundaries for operation durations (s). */
const MCP_DURATION_BUCKETS = [
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
] as const;
/** Gatehouse's own added time is milliseconds, not seconds: finer buckets (no convention). */
const OVERHEAD_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

interface Instrument {
  name: string;
  description: string;
  unit: string;
}

interface HistogramInstrument extends Instrument {
  bounds: readonly number[];
}

const DURATION: HistogramInstrument = {
  name: MetricName.GEN_AI_CLIENT_OPERATION_DURATION,
  description: "GenAI operation duration: the provider call as the gateway saw it",
  unit: "s",
  bounds: GEN_AI_DURATION_BUCKETS,
};
const TOKENS: HistogramInstrument = {
  name: MetricName.GEN_AI_CLIENT_TOKEN_USAGE,
  description: "Input (including cache reads and writes) and output tokens used",
  unit: "{token}",
  bounds: TOKEN_BUCKETS,
};
const TIME_TO_FIRST_CHUNK: HistogramInstrument = {
  name: MetricName.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  description: "Time to the first chunk of a streamed response",
  unit: "s",
  bounds: GEN_AI_DURATION_BUCKETS,
};
const OVERHEAD: HistogramInstrument = {
  name: MetricName.OVERHEAD,
  description: "Time the gateway itself added to a request",
  unit: "s",
  bounds: OVERHEAD_BUCKETS,
};
const MCP_DURATION: HistogramInstrument = {
  name: MetricName.MCP_SERVER_OPERATION_DURATION,
  description: "MCP tool call duration as the gateway served it",
  unit: "s",
  bounds: MCP_DURATION_BUCKETS,
};
const COST: Instrument = {
  name: MetricName.COST,
  description: "Cost billed, by billing mode",
  unit: "USD",
};
const REFUSED: Instrument = {
  name: MetricName.REQUESTS_REFUSED,
  description: "Requests the gateway refused, by reason",
  unit: "{request}",
};

interface HistogramState {
  attributes: OtlpAttribute[];
  count: number;
  sum: number;
  min: number;
  max: number;
  bucketCounts: number[];
}

/** One batch's aggregation: a point per metric and attribute set. */
class Aggregator {
  readonly #histograms = new Map<HistogramInstrument, Map<string, HistogramState>>();
  readonly #sums = new Map<
    Instrument,
    Map<string, { attributes: OtlpAttribute[]; value: number }>
  >();
  readonly #integerSums = new Set<Instrument>();

  record(instrument: HistogramInstrument, attrs: Attributes, value: number): void {
    if (!Number.isFinite(value)) return;
    const points = this.#histograms.get(instrument) ?? new Map<string, HistogramState>();
    this.#histograms.set(instrument, points);
    const key = keyOf(attrs.list);
    let point = points.get(key);
    if (!point) {
      point = {
        attributes: attrs.list,
        count: 0,
        sum: 0,
        min: value,
        max: value,
        bucketCounts: new Array<number>(instrument.bounds.length + 1).fill(0),
      };
      points.set(key, point);
    }
    point.count += 1;
    point.sum += value;
    point.min = Math.min(point.min, value);
    point.max = Math.max(point.max, value);
    // Bucket i holds (bounds[i-1], bounds[i]]; the last one everything above.
    const bucket = instrument.bounds.findIndex((bound) => value <= bound);
    const index = bucket === -1 ? instrument.bounds.length : bucket;
    point.bucketCounts[index] = (point.bucketCounts[index] ?? 0) + 1;
  }

  add(instrument: Instrument, attrs: Attributes, value: number, integer = false): void {
    if (!Number.isFinite(value)) return;
    if (integer) this.#integerSums.add(instrument);
    const points = this.#sums.get(instrument) ?? new Map();
    this.#sums.set(instrument, points);
    const key = keyOf(attrs.list);
    const point = points.get(key) ?? { attributes: attrs.list, value: 0 };
    point.value += value;
    points.set(key, point);
  }

  metrics(start: string, time: string): OtlpMetric[] {
    const out: OtlpMetric[] = [];
    for (const [instrument, points] of this.#histograms) {
      const dataPoints: HistogramDataPoint[] = [...points.values()].map((p) => ({
        attributes: p.attributes,
        startTimeUnixNano: start,
        timeUnixNano: time,
        count: p.count,
        sum: p.sum,
        bucketCounts: p.bucketCounts,
        explicitBounds: instrument.bounds,
        min: p.min,
        max: p.max,
      }));
      out.push({
        ...describe(instrument),
        histogram: { dataPoints, aggregationTemporality: AggregationTemporality.DELTA },
      });
    }
    for (const [instrument, points] of this.#sums) {
      const integer = this.#integerSums.has(instrument);
      const dataPoints: NumberDataPoint[] = [...points.values()].map((p) => ({
        attributes: p.attributes,
        startTimeUnixNano: start,
        timeUnixNano: time,
        value: integer ? { kind: "int", value: p.value } : { kind: "double", value: p.value },
      }));
      out.push({
        ...describe(instrument),
        sum: {
          dataPoints,
          aggregationTemporality: AggregationTemporality.DELTA,
          isMonotonic: true,
        },
      });
    }
    return out;
  }
}

function describe({ name, description, unit }: Instrument): Instrument {
  return { name, description, unit };
}

/** An attribute set's identity, whatever order its attributes were added in. */
function keyOf(attributes: readonly OtlpAttribute[]): string {
  const sorted = [...attributes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return JSON.stringify(sorted);
}

type LlmMessage = Extract<TelemetryMessage, { kind: "llm_request" }>;
type ToolMessage = Extract<TelemetryMessage, { kind: "mcp_tool_call" }>;

function operationOf(row: LlmMessage["row"]): string {
  return row.endpoint === "messages" ? SemconvValue.OPERATION_CHAT : row.endpoint;
}

/** The labels every LLM metric shares: what was asked of whom, never who asked. */
function llmLabels(row: LlmMessage["row"]): Attributes {
  return new Attributes()
    .string(Semconv.GEN_AI_OPERATION_NAME, operationOf(row))
    .string(Semconv.GEN_AI_PROVIDER_NAME, SemconvValue.PROVIDER_ANTHROPIC)
    .string(Semconv.GEN_AI_REQUEST_MODEL, row.model)
    .string(Gatehouse.PROXY_ID, row.proxyId)
    .string(Gatehouse.AGENT_ID, row.agentId);
}

function recordLlm(agg: Aggregator, message: LlmMessage): void {
  const { row, span } = message;
  const refusal = refusalReason(message);
  if (refusal !== undefined) {
    agg.add(
      REFUSED,
      new Attributes()
        .string(Gatehouse.REFUSAL_REASON, refusal)
        .string(Gatehouse.PROXY_ID, row.proxyId),
      1,
      true,
    );
    return;
  }
  const error = row.errorType ?? (row.status >= 400 ? String(row.status) : undefined);
  const upstreamMs =
    span.upstreamStartedAt !== undefined && span.upstreamEndedAt !== undefined
      ? span.upstreamEndedAt - span.upstreamStartedAt
      : row.durationMs;
  agg.record(
    DURATION,
    llmLabels(row).string(Semconv.ERROR_TYPE, error),
    Math.max(0, upstreamMs) / 1000,
  );
  if (row.endpoint === "messages" && row.status > 0 && row.status < 400) {
    const input =
      row.inputTokens + row.cacheReadTokens + row.cacheWrite5mTokens + row.cacheWrite1hTokens;
    const tokenType = (type: string) => llmLabels(row).string(Semconv.GEN_AI_TOKEN_TYPE, type);
    agg.record(TOKENS, tokenType(SemconvValue.TOKEN_INPUT), input);
    agg.record(TOKENS, tokenType(SemconvValue.TOKEN_OUTPUT), row.outputTokens);
  }
  if (row.streamed && row.ttfbMs !== null && row.ttfbMs !== undefined) {
    agg.record(TIME_TO_FIRST_CHUNK, llmLabels(row), row.ttfbMs / 1000);
  }
  if (row.overheadMs !== null && row.overheadMs !== undefined) {
    agg.record(
      OVERHEAD,
      new Attributes()
        .string(Semconv.GEN_AI_OPERATION_NAME, operationOf(row))
        .string(Gatehouse.PROXY_ID, row.proxyId),
      row.overheadMs / 1000,
    );
  }
  if (row.costMicroUsd !== null && row.costMicroUsd !== undefined) {
    agg.add(
      COST,
      new Attributes()
        .string(Gatehouse.BILLING_MODE, row.billingMode)
        .string(Semconv.GEN_AI_REQUEST_MODEL, row.model)
        .string(Gatehouse.PROXY_ID, row.proxyId),
      row.costMicroUsd / 1e6,
    );
  }
}

function recordTool(agg: Aggregator, message: ToolMessage): void {
  const { row, span } = message;
  const method = span.mcpMethod ?? "tools/call";
  const refusal = refusalReason(message);
  if (refusal !== undefined) {
    agg.add(
      REFUSED,
      new Attributes()
        .string(Gatehouse.REFUSAL_REASON, refusal)
        .string(Gatehouse.GATEWAY_SLUG, row.gatewaySlug),
      1,
      true,
    );
  }
  const error =
    row.outcome === "ok"
      ? undefined
      : row.outcome === "tool_error"
        ? SemconvValue.ERROR_TOOL
        : row.outcome;
  const ms = span.endedAt >= span.startedAt ? span.endedAt - span.startedAt : row.durationMs;
  agg.record(
    MCP_DURATION,
    new Attributes()
      .string(Semconv.MCP_METHOD_NAME, method)
      .string(
        Semconv.GEN_AI_OPERATION_NAME,
        method === "tools/call" ? SemconvValue.OPERATION_EXECUTE_TOOL : undefined,
      )
      .string(Semconv.GEN_AI_TOOL_NAME, row.tool)
      .string(Gatehouse.GATEWAY_SLUG, row.gatewaySlug)
      .string(Gatehouse.MCP_SERVER, row.serverName)
      .string(Semconv.ERROR_TYPE, error),
    ms / 1000,
  );
}

/** The batch's metrics; data points run from its earliest message to `now`. */
export function metricsOf(messages: readonly TelemetryMessage[], now: number): OtlpMetric[] {
  if (messages.length === 0) return [];
  const agg = new Aggregator();
  let earliest = Number.POSITIVE_INFINITY;
  for (const message of messages) {
    earliest = Math.min(earliest, message.span.startedAt);
    if (message.kind === "llm_request") recordLlm(agg, message);
    else recordTool(agg, message);
  }
  return agg.metrics(msToNanos(earliest), msToNanos(Math.max(now, earliest)));
}

/** Data points in a list of metrics (what an export counts as items). */
export function dataPointCount(metrics: readonly OtlpMetric[]): number {
  return metrics.reduce(
    (n, m) => n + ("sum" in m ? m.sum.dataPoints.length : m.histogram.dataPoints.length),
    0,
  );
}

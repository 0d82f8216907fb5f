// The slice of the OpenTelemetry (OTLP) data model Gatehouse exports: resource spans and
// resource metrics with explicit-bucket histograms and sums. Span building and metric
// aggregation produce these; the JSON and protobuf encoders both read them, so the two wire
// forms cannot drift apart. Ids are lowercase hex; times are unix nanoseconds as decimal digits
// (milliseconds × 1e6 exceeds 2^53, so never a JS number).

/** An attribute value: OTLP's `AnyValue`, limited to the kinds Gatehouse sends. */
export type OtlpValue =
  | { kind: "string"; value: string }
  | { kind: "int"; value: number }
  | { kind: "double"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "array"; values: OtlpValue[] };

export interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

export interface OtlpResource {
  attributes: OtlpAttribute[];
}

export interface OtlpScope {
  name: string;
  version: string;
}

/** Span kinds as the proto numbers them. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** Status codes as the proto numbers them. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface OtlpSpan {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  /** 16 hex digits, or none for a root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: { code: StatusCode; message?: string };
}

export interface ResourceSpans {
  resource: OtlpResource;
  scopeSpans: { scope: OtlpScope; spans: OtlpSpan[] }[];
}

export interface TraceRequest {
  resourceSpans: ResourceSpans[];
}

/** Aggregation temporality as the proto numbers it; Gatehouse only sends deltas. */
export const AggregationTemporality = { DELTA: 1, CUMULATIVE: 2 } as const;

export interface NumberDataPoint {
  attributes: OtlpAttribute[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  value: { kind: "int"; value: number } | { kind: "double"; value: number };
}

export interface HistogramDataPoint {
  attributes: OtlpAttribute[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: number;
  sum: number;
  /** One more than `explicitBounds`: bucket i holds values in (bounds[i-1], bounds[i]]. */
  bucketCounts: number[];
  explicitBounds: readonly number[];
  min: number;
  max: number;
}

interface MetricBase {
  name: string;
  description: string;
  unit: string;
}

export type OtlpMetric =
  | (MetricBase & {
      sum: { dataPoints: NumberDataPoint[]; aggregationTemporality: 1; isMonotonic: boolean };
    })
  | (MetricBase & { histogram: { dataPoints: HistogramDataPoint[]; aggregationTemporality: 1 } });

export interface ResourceMetrics {
  resource: OtlpResource;
  scopeMetrics: { scope: OtlpScope; metrics: OtlpMetric[] }[];
}

export interface MetricsRequest {
  resourceMetrics: ResourceMetrics[];
}

/** Unix milliseconds as unix nanoseconds, exactly. */
export function msToNanos(ms: number): string {
  return (BigInt(Math.max(0, Math.trunc(ms))) * 1_000_000n).toString();
}

/**
 * Attribute list builder: absent values (undefined, null) are skipped, so span and metric code
 * states each attribute once without guarding it.
 */
export class Attributes {
  readonly list: OtlpAttribute[] = [];

  string(key: string, value: string | null | undefined): this {
    if (value !== null && value !== undefined)
      this.list.push({ key, value: { kind: "string", value } });
    return this;
  }

  int(key: string, value: number | null | undefined): this {
    if (value !== null && value !== undefined && Number.isFinite(value)) {
      this.list.push({ key, value: { kind: "int", value: Math.trunc(value) } });
    }
    return this;
  }

  double(key: string, value: number | null | undefined): this {
    if (value !== null && value !== undefined && Number.isFinite(value)) {
      this.list.push({ key, value: { kind: "double", value } });
    }
    return this;
  }

  bool(key: string, value: boolean | null | undefined): this {
    if (value !== null && value !== undefined)
      this.list.push({ key, value: { kind: "bool", value } });
    return this;
  }

  strings(key: string, values: readonly string[] | null | undefined): this {
    if (values) {
      this.list.push({
        key,
        value: { kind: "array", values: values.map((value) => ({ kind: "string", value })) },
      });
    }
    return this;
  }
}

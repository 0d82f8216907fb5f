// OTLP/JSON encoding of the model (opentelemetry-proto's JSON mapping, as OTLP/HTTP expects it):
// lowerCamelCase fields, trace and span ids as hex (not base64), enums as numbers, 64-bit
// integers as decimal strings.
import type {
  HistogramDataPoint,
  MetricsRequest,
  NumberDataPoint,
  OtlpAttribute,
  OtlpMetric,
  OtlpSpan,
  OtlpValue,
  TraceRequest,
} from "./otlp-model";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function anyValue(value: OtlpValue): Json {
  switch (value.kind) {
    case "string":
      return { stringValue: value.value };
    case "int":
      return { intValue: String(value.value) };
    case "double":
      return { doubleValue: value.value };
    case "bool":
      return { boolValue: value.value };
    case "array":
      return { arrayValue: { values: value.values.map(anyValue) } };
  }
}

function attributes(list: readonly OtlpAttribute[]): Json {
  return list.map((a) => ({ key: a.key, value: anyValue(a.value) }));
}

function span(s: OtlpSpan): Json {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: attributes(s.attributes),
    status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
  };
}

function numberPoint(p: NumberDataPoint): Json {
  return {
    attributes: attributes(p.attributes),
    startTimeUnixNano: p.startTimeUnixNano,
    timeUnixNano: p.timeUnixNano,
    ...(p.value.kind === "int" ? { asInt: String(p.value.value) } : { asDouble: p.value.value }),
  };
}

function histogramPoint(p: HistogramDataPoint): Json {
  return {
    attributes: attributes(p.attributes),
    startTimeUnixNano: p.startTimeUnixNano,
    timeUnixNano: p.timeUnixNano,
    count: String(p.count),
    sum: p.sum,
    bucketCounts: p.bucketCounts.map(String),
    explicitBounds: [...p.explicitBounds],
    min: p.min,
    max: p.max,
  };
}

function metric(m: OtlpMetric): Json {
  const head = { name: m.name, description: m.description, unit: m.unit };
  if ("sum" in m) {
    return {
      ...head,
      sum: {
        dataPoints: m.sum.dataPoints.map(numberPoint),
        aggregationTemporality: m.sum.aggregationTemporality,
        isMonotonic: m.sum.isMonotonic,
      },
    };
  }
  return {
    ...head,
    histogram: {
      dataPoints: m.histogram.dataPoints.map(histogramPoint),
      aggregationTemporality: m.histogram.aggregationTemporality,
    },
  };
}

function encode(value: Json): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function traceRequestJson(request: TraceRequest): Uint8Array {
  return encode({
    resourceSpans: request.resourceSpans.map((rs) => ({
      resource: { attributes: attributes(rs.resource.attributes) },
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: { name: ss.scope.name, version: ss.scope.version },
        spans: ss.spans.map(span),
      })),
    })),
  });
}

export function metricsRequestJson(request: MetricsRequest): Uint8Array {
  return encode({
    resourceMetrics: request.resourceMetrics.map((rm) => ({
      resource: { attributes: attributes(rm.resource.attributes) },
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        scope: { name: sm.scope.name, version: sm.scope.version },
        metrics: sm.metrics.map(metric),
      })),
    })),
  });
}

// The exporter's pure entry points: one organisation's telemetry messages → OTLP payloads
// (traces and metrics), encoded as OTLP/JSON or OTLP/protobuf. No I/O: the queue consumer sends
// what these return, so a collector's faults never reach this code.
import type { TelemetryMessage } from "../telemetry/message";
import { Gatehouse, SCOPE, SERVICE_NAME, SERVICE_VERSION, Semconv } from "./attributes";
import { dataPointCount, metricsOf } from "./metrics";
import { metricsRequestJson, traceRequestJson } from "./otlp-json";
import {
  Attributes,
  type MetricsRequest,
  msToNanos,
  type OtlpResource,
  type OtlpSpan,
  SpanKind,
  StatusCode,
  type TraceRequest,
} from "./otlp-model";
import { metricsRequestProtobuf, traceRequestProtobuf } from "./otlp-protobuf";
import { sampledTraces } from "./sampling";
import { spanIdsOf, spansOf } from "./spans";

export type OtlpProtocol = "http/json" | "http/protobuf";

export interface OtlpPayload {
  signal: "traces" | "metrics";
  /** "application/json" or "application/x-protobuf" */
  contentType: string;
  body: Uint8Array;
  /** Spans (traces) or data points (metrics) in the payload, for counting drops. */
  items: number;
}

export interface ExportOptions {
  protocol: OtlpProtocol;
  /** 0..1, share of traces kept (by trace id; parent's sampled flag respected). */
  samplingRatio: number;
  /** Add the conventions' opt-in content attributes (prompts, completions, tool args/results). */
  captureContent: boolean;
  /** Export time (ms); metrics' data points end here. */
  now: number;
}

function contentTypeOf(protocol: OtlpProtocol): string {
  return protocol === "http/json" ? "application/json" : "application/x-protobuf";
}

function resourceOf(orgId: string | undefined): OtlpResource {
  return {
    attributes: new Attributes()
      .string(Semconv.SERVICE_NAME, SERVICE_NAME)
      .string(Semconv.SERVICE_VERSION, SERVICE_VERSION)
      .string(Gatehouse.ORG_ID, orgId).list,
  };
}

/** Groups by organisation, in first-seen order (a batch is normally one organisation's). */
function byOrg<T>(items: readonly T[], orgOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const org = orgOf(item);
    const group = groups.get(org);
    if (group) group.push(item);
    else groups.set(org, [item]);
  }
  return groups;
}

function traceBody(request: TraceRequest, protocol: OtlpProtocol): Uint8Array {
  return protocol === "http/json" ? traceRequestJson(request) : traceRequestProtobuf(request);
}

/** The spans of one organisation's messages; undefined when none is sampled. */
export function tracePayload(
  messages: readonly TelemetryMessage[],
  options: ExportOptions,
): OtlpPayload | undefined {
  const identified = messages.map((message) => ({ message, ids: spanIdsOf(message) }));
  const kept = sampledTraces(
    identified.map(({ message, ids }) => ({
      traceId: ids.traceId,
      traceparent: message.span.traceparent,
    })),
    options.samplingRatio,
  );
  const sampled = identified.filter(({ ids }) => kept.has(ids.traceId));
  if (sampled.length === 0) return undefined;
  const request: TraceRequest = { resourceSpans: [] };
  let items = 0;
  for (const [orgId, group] of byOrg(sampled, ({ message }) => message.row.orgId)) {
    const spans = group.flatMap(({ message, ids }) =>
      spansOf(message, ids, options.captureContent),
    );
    items += spans.length;
    request.resourceSpans.push({
      resource: resourceOf(orgId),
      scopeSpans: [{ scope: SCOPE, spans }],
    });
  }
  return {
    signal: "traces",
    contentType: contentTypeOf(options.protocol),
    body: traceBody(request, options.protocol),
    items,
  };
}

/** The metrics (delta temporality) of one organisation's messages; undefined when there are none. Metrics are never sampled. */
export function metricPayload(
  messages: readonly TelemetryMessage[],
  options: ExportOptions,
): OtlpPayload | undefined {
  const request: MetricsRequest = { resourceMetrics: [] };
  let items = 0;
  for (const [orgId, group] of byOrg(messages, (message) => message.row.orgId)) {
    const metrics = metricsOf(group, options.now);
    if (metrics.length === 0) continue;
    items += dataPointCount(metrics);
    request.resourceMetrics.push({
      resource: resourceOf(orgId),
      scopeMetrics: [{ scope: SCOPE, metrics }],
    });
  }
  if (items === 0) return undefined;
  return {
    signal: "metrics",
    contentType: contentTypeOf(options.protocol),
    body:
      options.protocol === "http/json"
        ? metricsRequestJson(request)
        : metricsRequestProtobuf(request),
    items,
  };
}

function randomHex(bytes: number): string {
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(bytes))) {
    out += b.toString(16).padStart(2, "0");
  }
  return out;
}

/** One span named "gatehouse test span" for the Settings page's "send a test span" button. */
export function testSpanPayload(protocol: OtlpProtocol, now: number): OtlpPayload {
  const span: OtlpSpan = {
    traceId: randomHex(16),
    spanId: randomHex(8),
    name: "gatehouse test span",
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: msToNanos(now),
    endTimeUnixNano: msToNanos(now),
    attributes: new Attributes().bool(Gatehouse.TEST, true).list,
    status: { code: StatusCode.UNSET },
  };
  const request: TraceRequest = {
    resourceSpans: [
      { resource: resourceOf(undefined), scopeSpans: [{ scope: SCOPE, spans: [span] }] },
    ],
  };
  return {
    signal: "traces",
    contentType: contentTypeOf(protocol),
    body: traceBody(request, protocol),
    items: 1,
  };
}

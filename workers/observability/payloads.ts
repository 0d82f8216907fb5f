// The exporter's pure entry points: one organisation's telemetry messages → OTLP payloads
// (traces and metrics), encoded as OTLP/JSON or OTLP/protobuf. No I/O: the queue consumer sends
// what these return. (First cut: the fixed API, bodies to follow.)
import type { TelemetryMessage } from "../telemetry/message";

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

/** The spans of one organisation's messages; undefined when none is sampled. */
export function tracePayload(
  messages: readonly TelemetryMessage[],
  options: ExportOptions,
): OtlpPayload | undefined {
  if (messages.length === 0 || options.samplingRatio <= 0) return undefined;
  return undefined;
}

/** The metrics (delta temporality) of one organisation's messages; undefined when there are none. Metrics are never sampled. */
export function metricPayload(
  messages: readonly TelemetryMessage[],
  options: ExportOptions,
): OtlpPayload | undefined {
  if (messages.length === 0) return undefined;
  return {
    signal: "metrics",
    contentType: contentTypeOf(options.protocol),
    body: new Uint8Array(),
    items: 0,
  };
}

/** One span named "gatehouse test span" for the Settings page's "send a test span" button. */
export function testSpanPayload(protocol: OtlpProtocol, now: number): OtlpPayload {
  void now;
  return {
    signal: "traces",
    contentType: contentTypeOf(protocol),
    body: new Uint8Array(),
    items: 1,
  };
}

// Spans and metrics of stored telemetry go to the organisation's OTLP exporter, if it has one.
// (Filled by the exporter work of issue 15; until then nothing is exported.)
import type { TelemetryMessage } from "../telemetry/message";

/**
 * Exports the spans and metrics of messages the consumer has stored. Never throws and never
 * writes D1: a collector that is down, slow or refusing costs only this call's bounded time.
 */
export async function exportTelemetry(
  _env: Env,
  _messages: readonly TelemetryMessage[],
): Promise<void> {}

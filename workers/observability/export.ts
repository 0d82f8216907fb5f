// Spans and metrics of stored telemetry go to each organisation's OTLP exporter, if it has one
// that is enabled. Runs from the queue consumer's waitUntil, after the batch is in D1: a
// collector that is down, slow or refusing costs only this call's bounded time (one timeout per
// payload, in parallel). Per organisation and batch, one call to its ExportOutbox reports the
// outcome and hands over what is worth retrying; nothing here writes D1.
import { exportOutbox, type OutboxReport } from "../../durable-objects/export-outbox";
import type { ExporterLastError } from "../../shared/api-types";
import type { TelemetryMessage } from "../telemetry/message";
import { postPayload } from "./deliver";
import { type ExporterConfig, loadExporterConfig } from "./exporter-config";
import { metricPayload, type OtlpPayload, tracePayload } from "./payloads";

/**
 * Exports the spans and metrics of messages the consumer has stored. Never throws and never
 * writes D1: a collector that is down, slow or refusing costs only this call's bounded time.
 */
export async function exportTelemetry(
  env: Env,
  messages: readonly TelemetryMessage[],
): Promise<void> {
  const byOrg = new Map<string, TelemetryMessage[]>();
  for (const message of messages) {
    const list = byOrg.get(message.row.orgId);
    if (list) list.push(message);
    else byOrg.set(message.row.orgId, [message]);
  }
  await Promise.all(
    [...byOrg].map(([orgId, list]) =>
      exportOrganisation(env, orgId, list).catch((err: unknown) => {
        // Never the payload or the headers: the reason only.
        const reason = err instanceof Error ? err.message : String(err);
        console.error(`telemetry export: organisation ${orgId} skipped: ${reason}`);
      }),
    ),
  );
}

async function exportOrganisation(
  env: Env,
  orgId: string,
  messages: readonly TelemetryMessage[],
): Promise<void> {
  const exporter = await loadExporterConfig(env, orgId);
  if (!exporter?.enabled) return;
  const now = Date.now();
  const options = {
    protocol: exporter.protocol,
    samplingRatio: exporter.samplingRatio,
    captureContent: exporter.captureContent,
    now,
  };
  const payloads = [tracePayload(messages, options), metricPayload(messages, options)].filter(
    (p): p is OtlpPayload => p !== undefined && p.items > 0,
  );
  if (payloads.length === 0) return;
  const report = await deliverAll(exporter, payloads, now);
  await exportOutbox(env, orgId).record(report);
}

/** Posts each payload (in parallel) and sums up what happened, for the outbox. */
async function deliverAll(
  exporter: ExporterConfig,
  payloads: readonly OtlpPayload[],
  at: number,
): Promise<OutboxReport> {
  const report: OutboxReport = {
    orgId: exporter.orgId,
    at,
    exported: { spans: 0, points: 0 },
    dropped: { spans: 0, points: 0 },
    retry: [],
  };
  const outcomes = await Promise.all(payloads.map((p) => postPayload(exporter, p)));
  for (const [i, outcome] of outcomes.entries()) {
    const payload = payloads[i] as OtlpPayload;
    const counts = payload.signal === "traces" ? "spans" : "points";
    if (outcome.kind === "delivered") {
      report.exported[counts] += payload.items;
      continue;
    }
    const error: ExporterLastError = {
      at: Date.now(),
      status: outcome.status,
      body: outcome.body,
      signal: payload.signal,
    };
    report.lastError = error;
    if (outcome.kind === "refused") report.dropped[counts] += payload.items;
    else report.retry.push(payload);
  }
  return report;
}

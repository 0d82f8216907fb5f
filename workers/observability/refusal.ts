// Whether the gateway itself refused a request (before any upstream call), and why. Refusals
// are counted by reason in the metrics and get no CLIENT span: nothing was sent upstream.
import type { TelemetryMessage } from "../telemetry/message";

/** Statuses and error types the gateway answers with when it refuses (workers/errors.ts). */
const REFUSAL_STATUSES = new Set([400, 401, 402, 403, 413, 429]);
const GATEWAY_ERROR_TYPES = new Set([
  "invalid_request_error",
  "authentication_error",
  "billing_error",
  "permission_error",
  "request_too_large",
  "rate_limit_error",
]);

export const TOOL_CALL_REFUSED = "tool_call_refused";

/** The refusal's reason (the row's error type), or undefined when the request went upstream. */
export function refusalReason(message: TelemetryMessage): string | undefined {
  if (message.kind === "mcp_tool_call") {
    return message.row.outcome === "refused" ? TOOL_CALL_REFUSED : undefined;
  }
  const { row, span } = message;
  if (span.limitDecision === "refused") return row.errorType ?? "limit_refused";
  // The provider answered (its own 4xx is not the gateway's refusal).
  if (row.upstreamRequestId || span.upstreamStartedAt !== undefined || span.responseId) {
    return undefined;
  }
  if (!REFUSAL_STATUSES.has(row.status) || !row.errorType) return undefined;
  return GATEWAY_ERROR_TYPES.has(row.errorType) ? row.errorType : undefined;
}

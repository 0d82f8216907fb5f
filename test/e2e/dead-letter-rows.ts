// Dead letters for the shared gateway's end-to-end tests. Nothing outside the gateway can make
// the queue consumer fail on purpose, so a test keeps one the way the consumer does
// (deadLetterOf), written into the gateway's own local D1 (local-d1.ts).
import type { TelemetryDeadLetter as DeadLetter, LlmRequestRow } from "../../d1/schema";
import { deadLetterOf } from "../../workers/telemetry/dead-letters";
import { llmRequestMessage } from "../../workers/telemetry/message";
import { executeLocalD1 } from "./local-d1";

/** A finished request of `orgId`'s `userId`, as the proxy would have sent it. */
export function llmRequestBody(orgId: string, userId: string, model: string, id: string) {
  const now = Date.now();
  const row: LlmRequestRow = {
    id,
    orgId,
    createdAt: now,
    proxyId: "prx_e2e_dead_letters",
    endpoint: "messages",
    userId,
    virtualKeyId: null,
    passthroughKeyId: null,
    credential: "direct",
    billingMode: "metered",
    agentId: "e2e-dead-letter",
    model,
    streamed: false,
    status: 200,
    errorType: null,
    inputTokens: 3,
    outputTokens: 2,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 0,
    costMicroUsd: 0,
    listCostMicroUsd: 0,
    ttfbMs: 5,
    durationMs: 12,
    clientGone: false,
    upstreamRequestId: null,
  };
  return llmRequestMessage(row, { startedAt: now - row.durationMs, endedAt: now });
}

const literal = (v: string | number | null) =>
  v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replaceAll("'", "''")}'`;

/** Keeps a dead letter in the gateway's D1, as its queue consumer would have. */
export function keepDeadLetter(
  stateDir: string,
  message: { id: string; body: unknown; attempts: number },
  reason: string,
): DeadLetter {
  const d = deadLetterOf(message, reason);
  const values = [d.id, d.orgId, d.kind, d.rowId, d.reason, d.body, d.attempts, d.failedAt];
  const sql = `INSERT INTO telemetry_dead_letters (id, org_id, kind, row_id, reason, body, attempts, failed_at) VALUES (${values.map(literal).join(", ")})`;
  executeLocalD1(stateDir, sql);
  return d;
}

// Log rows and telemetry messages for tests that drive the queue, its consumer and the gates'
// spool directly: complete LLM request and tool-call rows with the fields a test cares about
// overridden.
import type { LlmRequestRow, McpToolCall } from "../../d1/schema";
import { llmRequestMessage, type TelemetryMessage } from "../../workers/telemetry/message";

let seq = 0;

export function llmRow(id: string, over: Partial<LlmRequestRow> = {}): LlmRequestRow {
  return {
    id,
    orgId: "org_rows",
    createdAt: Date.UTC(2026, 11, 7, 12, 0, 0) + seq++,
    proxyId: "prx_rows",
    endpoint: "messages",
    userId: "usr_rows",
    virtualKeyId: null,
    passthroughKeyId: null,
    credential: "direct",
    billingMode: "metered",
    agentId: null,
    model: "claude-haiku-4-5",
    streamed: true,
    status: 200,
    errorType: null,
    inputTokens: 10,
    outputTokens: 5,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 2,
    costMicroUsd: 7,
    listCostMicroUsd: 7,
    ttfbMs: 3,
    durationMs: 9,
    clientGone: false,
    upstreamRequestId: null,
    ...over,
  };
}

/** The row's message as the proxy sends it. */
export function llmMessage(row: LlmRequestRow): TelemetryMessage {
  return llmRequestMessage(row, {
    startedAt: row.createdAt,
    endedAt: row.createdAt + row.durationMs,
  });
}

export function toolRow(id: string, over: Partial<McpToolCall> = {}): McpToolCall {
  return {
    id,
    orgId: "org_rows",
    at: Date.now(),
    userId: "usr_rows",
    clientId: null,
    clientName: null,
    gatewayId: "mcg_rows",
    gatewaySlug: "tools",
    serverId: null,
    serverName: null,
    tool: "files__read",
    upstreamTool: "read",
    sessionId: null,
    durationMs: 4,
    outcome: "ok",
    error: null,
    requestBytes: 10,
    responseBytes: 20,
    arguments: null,
    result: null,
    conversationId: null,
    traceId: null,
    ...over,
  };
}

// Telemetry messages for the observability tests: an LLM request with usage, cache reads and
// writes, a client `traceparent` and captured content; an MCP tool call that failed with a tool
// error; and messages from before span ids existed.
import type { LlmRequestRow, McpToolCall } from "../../d1/schema";
import {
  llmRequestMessage,
  type SpanFacts,
  type TelemetryMessage,
  toolCallMessage,
} from "../telemetry/message";

export const T0 = 1_767_225_600_123; // 2026-01-01T00:00:00.123Z
export const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
export const CLIENT_PARENT = "00f067aa0ba902b7";
export const SERVER_SPAN = "a1a2a3a4a5a6a7a8";
export const CLIENT_SPAN = "b1b2b3b4b5b6b7b8";
export const TOOL_SERVER_SPAN = "c1c2c3c4c5c6c7c8";
export const TOOL_CLIENT_SPAN = "d1d2d3d4d5d6d7d8";

export function llmRow(overrides: Partial<LlmRequestRow> = {}): LlmRequestRow {
  return {
    id: "req_01",
    orgId: "org_1",
    createdAt: T0,
    proxyId: "proxy_1",
    endpoint: "messages",
    userId: "user_alice",
    virtualKeyId: "vk_1",
    passthroughKeyId: null,
    credential: "virtual_key",
    billingMode: "metered",
    agentId: "claude-code",
    model: "claude-sonnet-4-5",
    streamed: true,
    status: 200,
    errorType: null,
    inputTokens: 100,
    outputTokens: 50,
    cacheWrite5mTokens: 20,
    cacheWrite1hTokens: 10,
    cacheReadTokens: 1000,
    costMicroUsd: 12_345,
    listCostMicroUsd: 12_345,
    ttfbMs: 250,
    durationMs: 1500,
    clientGone: false,
    upstreamRequestId: "req_upstream_1",
    conversationId: "conv_1",
    traceId: TRACE_ID,
    overheadMs: 3,
    ...overrides,
  };
}

export const PROMPT = JSON.stringify({
  system: "You are terse.",
  messages: [{ role: "user", content: "Say hi" }],
});
export const COMPLETION = JSON.stringify([{ type: "text", text: "Hi" }]);

export function llmSpanFacts(overrides: Partial<SpanFacts> = {}): SpanFacts {
  return {
    startedAt: T0,
    endedAt: T0 + 1500,
    traceparent: `00-${TRACE_ID}-${CLIENT_PARENT}-01`,
    maxTokens: 1024,
    spanId: SERVER_SPAN,
    clientSpanId: CLIENT_SPAN,
    upstreamStartedAt: T0 + 4,
    upstreamEndedAt: T0 + 1499,
    serverAddress: "api.anthropic.com",
    serverPort: 443,
    responseId: "msg_01",
    finishReasons: ["tool_use"],
    teamIds: ["team_a", "team_b"],
    limitDecision: "admitted",
    content: { input: PROMPT, output: COMPLETION },
    ...overrides,
  };
}

export function llmMessage(
  row: Partial<LlmRequestRow> = {},
  span: Partial<SpanFacts> = {},
): TelemetryMessage {
  return llmRequestMessage(llmRow(row), llmSpanFacts(span));
}

export function toolRow(overrides: Partial<McpToolCall> = {}): McpToolCall {
  return {
    id: "call_01",
    orgId: "org_1",
    at: T0 + 2000,
    userId: "user_alice",
    clientId: "client_claude",
    clientName: "Claude",
    gatewayId: "gw_1",
    gatewaySlug: "eng",
    serverId: "srv_1",
    serverName: "files",
    tool: "files__read_file",
    upstreamTool: "read_file",
    sessionId: "sess_1",
    durationMs: 80,
    outcome: "tool_error",
    error: "ENOENT: /secret/path",
    requestBytes: 40,
    responseBytes: 60,
    arguments: JSON.stringify({ path: "notes/a.md" }),
    result: JSON.stringify({ isError: true }),
    conversationId: "conv_1",
    traceId: TRACE_ID,
    ...overrides,
  };
}

export function toolMessage(
  row: Partial<McpToolCall> = {},
  span: Partial<SpanFacts> = {},
): TelemetryMessage {
  return toolCallMessage(toolRow(row), {
    startedAt: T0 + 2000,
    endedAt: T0 + 2080,
    traceparent: `00-${TRACE_ID}-${CLIENT_PARENT}-01`,
    spanId: TOOL_SERVER_SPAN,
    clientSpanId: TOOL_CLIENT_SPAN,
    upstreamStartedAt: T0 + 2010,
    upstreamEndedAt: T0 + 2070,
    serverAddress: "files.internal",
    serverPort: 8443,
    mcpMethod: "tools/call",
    protocolVersion: "2025-06-18",
    jsonrpcRequestId: "7",
    policyDecision: "allow",
    ...span,
  });
}

/** A message spooled before span ids, trace ids and upstream times existed. */
export function oldLlmMessage(id: string): TelemetryMessage {
  return llmRequestMessage(llmRow({ id, traceId: null, conversationId: null, overheadMs: null }), {
    startedAt: T0,
    endedAt: T0 + 900,
  });
}

/** Nanoseconds of a millisecond time, spelled out (never through floating point). */
export function nanos(ms: number): string {
  return `${ms}000000`;
}

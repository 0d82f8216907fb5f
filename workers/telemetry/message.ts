// The telemetry queue's one message type: a finished LLM request or MCP tool call, as its log
// row plus the timings and ids its trace spans need. Never a secret: rows hold ids, never keys,
// and MCP payloads are redacted before they get here. The consumer validates every message with
// these schemas; a message of another shape or version is dead-lettered with the reason.
import { z } from "zod";
import type { LlmRequestRow, McpToolCall } from "../../d1/schema";

export const TELEMETRY_VERSION = 1;

const Id = z.string().min(1).max(200);
const Millis = z.number().int().nonnegative();
const Count = z.number().int().nonnegative();
const Text = (max: number) => z.string().max(max);

const LlmRequestRowSchema = z.object({
  id: Id,
  orgId: Id,
  createdAt: Millis,
  proxyId: Id,
  endpoint: z.enum(["messages", "count_tokens", "models"]),
  userId: Id.nullish(),
  virtualKeyId: Id.nullish(),
  passthroughKeyId: Id.nullish(),
  credential: z.enum(["virtual_key", "direct"]),
  billingMode: z.enum(["metered", "subscription"]),
  agentId: Text(200).nullish(),
  model: Text(300).nullish(),
  streamed: z.boolean(),
  status: z.number().int().min(0).max(999),
  errorType: Text(100).nullish(),
  inputTokens: Count,
  outputTokens: Count,
  cacheWrite5mTokens: Count,
  cacheWrite1hTokens: Count,
  cacheReadTokens: Count,
  costMicroUsd: z.number().int().nullish(),
  listCostMicroUsd: z.number().int().nullish(),
  ttfbMs: Millis.nullish(),
  durationMs: Millis,
  clientGone: z.boolean(),
  upstreamRequestId: Text(300).nullish(),
  rolledUp: z.boolean().optional(),
}) satisfies z.ZodType<LlmRequestRow>;

const ToolCallRowSchema = z.object({
  id: Id,
  orgId: Id,
  at: Millis,
  userId: Id,
  clientId: Text(300).nullable(),
  clientName: Text(300).nullable(),
  gatewayId: Id,
  gatewaySlug: Text(200),
  serverId: Id.nullable(),
  serverName: Text(200).nullable(),
  tool: Text(300),
  upstreamTool: Text(300).nullable(),
  sessionId: Text(300).nullable(),
  durationMs: Millis,
  outcome: z.enum(["ok", "tool_error", "upstream_error", "timeout", "refused"]),
  error: Text(4000).nullable(),
  requestBytes: Count,
  responseBytes: Count,
  arguments: z.string().nullable(),
  result: z.string().nullable(),
}) satisfies z.ZodType<McpToolCall>;

/**
 * What a span needs beyond the row: when the gateway took the request and handed back the
 * first byte, and the W3C trace context the client sent (the observability issue's spans hang
 * off it). Optional fields only, so a consumer one version behind still takes the message.
 */
const SpanFactsSchema = z.object({
  startedAt: Millis,
  endedAt: Millis,
  traceparent: Text(55).optional(),
  maxTokens: Count.optional(),
});

export const TelemetryMessageSchema = z.discriminatedUnion("kind", [
  z.object({
    v: z.literal(TELEMETRY_VERSION),
    kind: z.literal("llm_request"),
    row: LlmRequestRowSchema,
    span: SpanFactsSchema,
  }),
  z.object({
    v: z.literal(TELEMETRY_VERSION),
    kind: z.literal("mcp_tool_call"),
    row: ToolCallRowSchema,
    span: SpanFactsSchema,
  }),
]);

export type TelemetryMessage = z.output<typeof TelemetryMessageSchema>;
export type SpanFacts = TelemetryMessage["span"];
export type TelemetryKind = TelemetryMessage["kind"];

export function llmRequestMessage(row: LlmRequestRow, span: SpanFacts): TelemetryMessage {
  return { v: TELEMETRY_VERSION, kind: "llm_request", row, span };
}

export function toolCallMessage(row: McpToolCall, span: SpanFacts): TelemetryMessage {
  return { v: TELEMETRY_VERSION, kind: "mcp_tool_call", row, span };
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** The client's W3C `traceparent`, when it sent a well-formed one. */
export function traceparentOf(headers: Headers): string | undefined {
  const value = headers.get("traceparent")?.trim().toLowerCase();
  return value && TRACEPARENT.test(value) ? value : undefined;
}

/** A message that fails validation, with the reason in words (zod's first few issues). */
export function parseTelemetry(
  body: unknown,
): { ok: true; message: TelemetryMessage } | { ok: false; reason: string } {
  const parsed = TelemetryMessageSchema.safeParse(body);
  if (parsed.success) return { ok: true, message: parsed.data };
  const version =
    typeof body === "object" && body !== null && "v" in body ? String(body.v) : "none";
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`)
    .join("; ");
  return {
    ok: false,
    reason: `not a telemetry message of version ${TELEMETRY_VERSION} (version ${version}): ${issues}`,
  };
}

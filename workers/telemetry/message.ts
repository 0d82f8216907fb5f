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
const TraceId = z.string().regex(/^[\da-f]{32}$/);
const SpanId = z.string().regex(/^[\da-f]{16}$/);
/** Captured prompts, completions, tool arguments and results: redacted, capped in size. */
export const CONTENT_MAX_CHARS = 16 * 1024;

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
  conversationId: Text(200).nullish(),
  traceId: TraceId.nullish(),
  overheadMs: Millis.nullish(),
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
  conversationId: Text(200).nullable().default(null),
  traceId: TraceId.nullable().default(null),
}) satisfies z.ZodType<McpToolCall>;

/**
 * What a span needs beyond the row. The row holds the trace id and the conversation id (D1
 * keeps them); these are the rest. All optional, so a consumer one version behind, or a message
 * spooled before a field existed, still validates.
 */
const SpanFactsSchema = z.object({
  /** When the gateway took the request, and when it finished with it (the SERVER span). */
  startedAt: Millis,
  endedAt: Millis,
  /** The client's W3C `traceparent`, when well formed: its span is the SERVER span's parent. */
  traceparent: Text(55).optional(),
  maxTokens: Count.optional(),
  /** The SERVER span's id, and the CLIENT span's (sent upstream as the `traceparent` parent). */
  spanId: SpanId.optional(),
  clientSpanId: SpanId.optional(),
  /** The upstream call (the CLIENT span): from its start to its last byte, or its failure. */
  upstreamStartedAt: Millis.optional(),
  upstreamEndedAt: Millis.optional(),
  /** Upstream's host and port (`server.address`, `server.port`). */
  serverAddress: Text(300).optional(),
  serverPort: z.number().int().min(0).max(65535).optional(),
  /** LLM: the provider's message id and stop reasons. */
  responseId: Text(300).optional(),
  finishReasons: z.array(Text(100)).max(10).optional(),
  /** LLM: the person's teams at the time of the request (ids). */
  teamIds: z.array(Id).max(200).optional(),
  /** LLM: what the limits decided: no limit applied, admitted under limits, or refused. */
  limitDecision: z.enum(["none", "admitted", "refused"]).optional(),
  /** MCP: protocol facts of the request. */
  mcpMethod: Text(100).optional(),
  protocolVersion: Text(50).optional(),
  jsonrpcRequestId: Text(200).optional(),
  /** MCP: the tool policy's decision, once tool policies exist. */
  policyDecision: Text(50).optional(),
  /**
   * Content, only while the organisation captures it: LLM prompt (system and messages) and
   * completion, as JSON text, redacted and capped at CONTENT_MAX_CHARS each.
   */
  content: z
    .object({
      input: Text(CONTENT_MAX_CHARS * 2).optional(),
      output: Text(CONTENT_MAX_CHARS * 2).optional(),
    })
    .optional(),
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

/** The client's W3C `traceparent`, when it sent a well-formed one (an all-zero id is not). */
export function traceparentOf(headers: Headers): string | undefined {
  return validTraceparent(headers.get("traceparent"));
}

/** `value` as a W3C `traceparent`, when it is a well-formed one (MCP carries it in `_meta`). */
export function validTraceparent(raw: unknown): string | undefined {
  const value = typeof raw === "string" ? raw.trim().toLowerCase() : undefined;
  if (!value || !TRACEPARENT.test(value)) return undefined;
  const [version, traceId, parentId] = value.split("-");
  if (version === "ff" || /^0+$/.test(traceId ?? "") || /^0+$/.test(parentId ?? "")) {
    return undefined;
  }
  return value;
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

// Telemetry messages → OTLP spans, as DESIGN.md ("Traces and metrics") names them. Each LLM
// request is a SERVER span (the inbound HTTP request) with a CLIENT child (the provider call);
// each MCP tool call is a SERVER span `tools/call <tool>` with a CLIENT child (the upstream
// server's call). A request the gateway refused before calling upstream has no CLIENT span.
import type { TelemetryMessage } from "../telemetry/message";
import { Gatehouse, Semconv, SemconvValue } from "./attributes";
import { Attributes, msToNanos, type OtlpSpan, SpanKind, StatusCode } from "./otlp-model";
import { refusalReason } from "./refusal";

type LlmMessage = Extract<TelemetryMessage, { kind: "llm_request" }>;
type ToolMessage = Extract<TelemetryMessage, { kind: "mcp_tool_call" }>;

export interface SpanIds {
  traceId: string;
  spanId: string;
  clientSpanId: string;
  /** The client's span from its `traceparent`: the SERVER span's parent. */
  parentSpanId?: string;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

/** FNV-1a, 64 bits: a stable, dependency-free hash for ids of messages that carry none. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  // An all-zero id is invalid in W3C and OTLP.
  return (hash === 0n ? 1n : hash).toString(16).padStart(16, "0");
}

/**
 * The ids of a message's spans. Messages from before span ids existed get ids derived from the
 * row id, so a redelivered message exports the same spans again rather than new ones.
 */
export function spanIdsOf(message: TelemetryMessage): SpanIds {
  const { row, span } = message;
  const parent = span.traceparent ? TRACEPARENT.exec(span.traceparent) : null;
  const traceId =
    row.traceId ?? parent?.[1] ?? fnv1a64(`trace:${row.id}`) + fnv1a64(`trace2:${row.id}`);
  const ids: SpanIds = {
    traceId,
    spanId: span.spanId ?? fnv1a64(`server:${row.id}`),
    clientSpanId: span.clientSpanId ?? fnv1a64(`client:${row.id}`),
  };
  // The client's span is the parent only within the client's own trace.
  if (parent?.[1] === traceId && parent[2]) ids.parentSpanId = parent[2];
  return ids;
}

interface SpanShape {
  ids: SpanIds;
  name: string;
  kind: SpanKind;
  start: number;
  end: number;
  attributes: Attributes;
  error: string | undefined;
  errorMessage: string;
}

function span(shape: SpanShape): OtlpSpan {
  const { ids, kind } = shape;
  const server = kind === SpanKind.SERVER;
  return {
    traceId: ids.traceId,
    spanId: server ? ids.spanId : ids.clientSpanId,
    ...(server
      ? ids.parentSpanId
        ? { parentSpanId: ids.parentSpanId }
        : {}
      : { parentSpanId: ids.spanId }),
    name: shape.name,
    kind,
    startTimeUnixNano: msToNanos(shape.start),
    endTimeUnixNano: msToNanos(Math.max(shape.start, shape.end)),
    attributes: shape.attributes.list,
    status: shape.error
      ? { code: StatusCode.ERROR, message: shape.errorMessage }
      : { code: StatusCode.UNSET },
  };
}

/** The upstream call's bounds, or the inbound request's for messages that lack them. */
function clientBounds(message: TelemetryMessage): { start: number; end: number } {
  const { span: s } = message;
  return { start: s.upstreamStartedAt ?? s.startedAt, end: s.upstreamEndedAt ?? s.endedAt };
}

const ROUTES = {
  messages: { method: "POST", route: "/v1/messages" },
  count_tokens: { method: "POST", route: "/v1/messages/count_tokens" },
  models: { method: "GET", route: "/v1/models" },
} as const;

function llmError(row: LlmMessage["row"]): string | undefined {
  if (row.errorType) return row.errorType;
  return row.status >= 400 ? String(row.status) : undefined;
}

function llmErrorMessage(row: LlmMessage["row"]): string {
  const status = row.status > 0 ? `HTTP ${row.status}` : "no response";
  return row.errorType ? `${row.errorType} (${status})` : status;
}

/** `gen_ai.operation.name` and the CLIENT span's name for each endpoint. */
function llmOperation(row: LlmMessage["row"]): { operation: string; name: string } {
  const model = row.model ?? "unknown";
  if (row.endpoint === "count_tokens")
    return { operation: "count_tokens", name: `count_tokens ${model}` };
  if (row.endpoint === "models") return { operation: "models", name: "models" };
  return {
    operation: SemconvValue.OPERATION_CHAT,
    name: `${SemconvValue.OPERATION_CHAT} ${model}`,
  };
}

/** The captured prompt: `{system, messages}` JSON splits into the conventions' two attributes. */
function promptAttributes(attrs: Attributes, input: string | undefined): void {
  if (input === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && "messages" in parsed) {
    const { system, messages } = parsed as { system?: unknown; messages?: unknown };
    if (system !== undefined && system !== null) {
      attrs.string(Semconv.GEN_AI_SYSTEM_INSTRUCTIONS, JSON.stringify(system));
    }
    attrs.string(Semconv.GEN_AI_INPUT_MESSAGES, JSON.stringify(messages ?? []));
    return;
  }
  attrs.string(Semconv.GEN_AI_INPUT_MESSAGES, input);
}

/** The people, keys and proxy of a request: ids only, never a key. */
function llmIds(attrs: Attributes, message: LlmMessage): Attributes {
  const { row, span: s } = message;
  return attrs
    .string(Gatehouse.REQUEST_ID, row.id)
    .string(Gatehouse.USER_ID, row.userId)
    .strings(Gatehouse.TEAM_IDS, s.teamIds)
    .string(Gatehouse.VIRTUAL_KEY_ID, row.virtualKeyId)
    .string(Gatehouse.PASSTHROUGH_KEY_ID, row.passthroughKeyId)
    .string(Gatehouse.AGENT_ID, row.agentId)
    .string(Gatehouse.PROXY_ID, row.proxyId);
}

/** What the gateway itself did: limits, a client that left, the time it added. */
function llmGatewayFacts(attrs: Attributes, message: LlmMessage): Attributes {
  const { row, span: s } = message;
  return attrs
    .string(Gatehouse.LIMIT_DECISION, s.limitDecision)
    .bool(Gatehouse.CLIENT_GONE, row.clientGone)
    .int(Gatehouse.OVERHEAD_MS, row.overheadMs);
}

export function llmSpans(message: LlmMessage, ids: SpanIds, captureContent: boolean): OtlpSpan[] {
  const { row, span: s } = message;
  const error = llmError(row);
  const errorMessage = llmErrorMessage(row);
  const route = ROUTES[row.endpoint];

  const serverAttrs = new Attributes()
    .string(Semconv.HTTP_REQUEST_METHOD, route.method)
    .string(Semconv.HTTP_ROUTE, route.route)
    .int(Semconv.HTTP_RESPONSE_STATUS_CODE, row.status > 0 ? row.status : undefined)
    .string(Semconv.GEN_AI_CONVERSATION_ID, row.conversationId);
  llmIds(serverAttrs, message);
  llmGatewayFacts(serverAttrs, message).string(Semconv.ERROR_TYPE, error);
  const spans = [
    span({
      ids,
      name: `${route.method} ${route.route}`,
      kind: SpanKind.SERVER,
      start: s.startedAt,
      end: s.endedAt,
      attributes: serverAttrs,
      error,
      errorMessage,
    }),
  ];
  if (refusalReason(message) !== undefined) return spans;

  const { operation, name } = llmOperation(row);
  const answered = row.status > 0 && row.status < 400;
  const client = new Attributes()
    .string(Semconv.GEN_AI_OPERATION_NAME, operation)
    .string(Semconv.GEN_AI_PROVIDER_NAME, SemconvValue.PROVIDER_ANTHROPIC)
    .string(Semconv.GEN_AI_REQUEST_MODEL, row.model)
    .int(Semconv.GEN_AI_REQUEST_MAX_TOKENS, s.maxTokens)
    .bool(Semconv.GEN_AI_REQUEST_STREAM, row.endpoint === "messages" ? row.streamed : undefined)
    .string(Semconv.GEN_AI_RESPONSE_ID, s.responseId)
    .string(
      Semconv.GEN_AI_RESPONSE_MODEL,
      answered && row.endpoint === "messages" ? row.model : undefined,
    )
    .strings(Semconv.GEN_AI_RESPONSE_FINISH_REASONS, s.finishReasons)
    .double(
      Semconv.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
      row.ttfbMs === null || row.ttfbMs === undefined ? undefined : row.ttfbMs / 1000,
    );
  if (row.endpoint === "messages") {
    const cacheWrites = row.cacheWrite5mTokens + row.cacheWrite1hTokens;
    client
      // The conventions count cache reads and writes as input.
      .int(Semconv.GEN_AI_USAGE_INPUT_TOKENS, row.inputTokens + row.cacheReadTokens + cacheWrites)
      .int(Semconv.GEN_AI_USAGE_OUTPUT_TOKENS, row.outputTokens)
      .int(Semconv.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, row.cacheReadTokens)
      .int(Semconv.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, cacheWrites)
      .int(Gatehouse.USAGE_CACHE_CREATION_1H_INPUT_TOKENS, row.cacheWrite1hTokens);
  }
  client
    .string(Semconv.GEN_AI_CONVERSATION_ID, row.conversationId)
    .string(Semconv.SERVER_ADDRESS, s.serverAddress)
    .int(Semconv.SERVER_PORT, s.serverAddress ? s.serverPort : undefined)
    .string(Semconv.ERROR_TYPE, error);
  llmIds(client, message)
    .string(Gatehouse.BILLING_MODE, row.billingMode)
    .double(
      Gatehouse.COST_USD,
      row.costMicroUsd === null || row.costMicroUsd === undefined
        ? undefined
        : row.costMicroUsd / 1e6,
    );
  llmGatewayFacts(client, message);
  if (captureContent && s.content) {
    promptAttributes(client, s.content.input);
    client.string(Semconv.GEN_AI_OUTPUT_MESSAGES, s.content.output);
  }
  spans.push(
    span({
      ids,
      name,
      kind: SpanKind.CLIENT,
      ...clientBounds(message),
      attributes: client,
      error,
      errorMessage,
    }),
  );
  return spans;
}

function toolError(row: ToolMessage["row"]): string | undefined {
  if (row.outcome === "ok") return undefined;
  return row.outcome === "tool_error" ? SemconvValue.ERROR_TOOL : row.outcome;
}

export function toolSpans(message: ToolMessage, ids: SpanIds, captureContent: boolean): OtlpSpan[] {
  const { row, span: s } = message;
  const method = s.mcpMethod ?? "tools/call";
  const error = toolError(row);
  // The error text may quote the tool's output: it is content, so it stays out of the status.
  const errorMessage = row.outcome === "tool_error" ? "the tool reported an error" : row.outcome;
  const common = (attrs: Attributes, tool: string) =>
    attrs
      .string(Semconv.MCP_METHOD_NAME, method)
      .string(
        Semconv.GEN_AI_OPERATION_NAME,
        method === "tools/call" ? SemconvValue.OPERATION_EXECUTE_TOOL : undefined,
      )
      .string(Semconv.GEN_AI_TOOL_NAME, tool)
      .string(Semconv.GEN_AI_CONVERSATION_ID, row.conversationId)
      .string(Semconv.ERROR_TYPE, error)
      .string(Gatehouse.REQUEST_ID, row.id)
      .string(Gatehouse.MCP_SERVER, row.serverName)
      .string(Gatehouse.GATEWAY_SLUG, row.gatewaySlug)
      .string(Gatehouse.USER_ID, row.userId);

  const server = common(new Attributes(), row.tool)
    .string(Semconv.MCP_SESSION_ID, row.sessionId)
    .string(Semconv.MCP_PROTOCOL_VERSION, s.protocolVersion)
    .string(Semconv.JSONRPC_REQUEST_ID, s.jsonrpcRequestId)
    .string(Gatehouse.OAUTH_CLIENT_ID, row.clientId)
    .string(Gatehouse.POLICY_DECISION, s.policyDecision);
  if (captureContent) {
    server
      .string(Semconv.GEN_AI_TOOL_CALL_ARGUMENTS, row.arguments)
      .string(Semconv.GEN_AI_TOOL_CALL_RESULT, row.result);
  }
  const spans = [
    span({
      ids,
      name: `${method} ${row.tool}`,
      kind: SpanKind.SERVER,
      start: s.startedAt,
      end: s.endedAt,
      attributes: server,
      error,
      errorMessage,
    }),
  ];
  if (refusalReason(message) !== undefined) return spans;

  const upstreamTool = row.upstreamTool ?? row.tool;
  const client = common(new Attributes(), upstreamTool)
    .string(Semconv.SERVER_ADDRESS, s.serverAddress)
    .int(Semconv.SERVER_PORT, s.serverAddress ? s.serverPort : undefined);
  spans.push(
    span({
      ids,
      name: `${method} ${upstreamTool}`,
      kind: SpanKind.CLIENT,
      ...clientBounds(message),
      attributes: client,
      error,
      errorMessage,
    }),
  );
  return spans;
}

export function spansOf(
  message: TelemetryMessage,
  ids: SpanIds,
  captureContent: boolean,
): OtlpSpan[] {
  return message.kind === "llm_request"
    ? llmSpans(message, ids, captureContent)
    : toolSpans(message, ids, captureContent);
}

// The MCP log row of one tools/call. Arguments and results are kept only when the organisation
// asked for them, redacted like the audit log (secret-named fields, credential-looking values)
// and capped in size.
import type { McpToolCall } from "../../d1/schema";
import { hostAndPort } from "../../shared/host-and-port";
import { newId } from "../../shared/ids";
import { cappedRedactedJson } from "../telemetry/captured-json";
import type { SpanFacts } from "../telemetry/message";
import type { CallOutcome } from "./call-tool";
import type { SessionContext } from "./session-context";

const MAX_PAYLOAD_CHARS = 32 * 1024;

const payload = (value: unknown) => cappedRedactedJson(value, MAX_PAYLOAD_CHARS);

export function toolCallRow(ctx: SessionContext, call: CallOutcome): McpToolCall {
  return {
    id: newId("mcc"),
    orgId: ctx.orgId,
    at: call.at,
    userId: ctx.userId,
    clientId: ctx.clientId,
    clientName: ctx.clientName,
    gatewayId: ctx.gatewayId,
    gatewaySlug: ctx.gatewaySlug,
    serverId: call.serverId,
    serverName: call.serverName,
    tool: call.tool,
    upstreamTool: call.upstreamTool,
    sessionId: ctx.sessionId,
    durationMs: call.durationMs,
    outcome: call.outcome,
    error: call.error,
    requestBytes: call.requestBytes,
    responseBytes: call.responseBytes,
    arguments: ctx.logPayloads ? payload(call.arguments) : null,
    result: ctx.logPayloads ? payload(call.result) : null,
    conversationId: ctx.conversationId ?? null,
    traceId: call.trace.traceId,
  };
}

/** What the tool call's spans need beyond its row. */
export function toolCallSpan(ctx: SessionContext, call: CallOutcome): SpanFacts {
  const { trace, upstream } = call;
  return {
    startedAt: call.at,
    endedAt: call.at + call.durationMs,
    traceparent: trace.traceparent,
    spanId: trace.spanId,
    mcpMethod: "tools/call",
    protocolVersion: ctx.protocolVersion,
    jsonrpcRequestId: call.jsonrpcRequestId || undefined,
    ...(upstream && {
      clientSpanId: trace.clientSpanId,
      upstreamStartedAt: upstream.startedAt,
      upstreamEndedAt: upstream.endedAt,
      ...hostAndPort(upstream.url),
    }),
  };
}

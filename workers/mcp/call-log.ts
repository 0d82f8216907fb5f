// The MCP log row of one tools/call. Arguments and results are kept only when the organisation
// asked for them, redacted like the audit log (secret-named fields, credential-looking values)
// and capped in size.
import type { McpToolCall } from "../../d1/schema";
import { newId } from "../../shared/ids";
import { redact } from "../audit/redact";
import type { CallOutcome } from "./call-tool";
import type { SessionContext } from "./session-context";

const MAX_PAYLOAD_CHARS = 32 * 1024;

function payload(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(redact(value));
  if (text.length <= MAX_PAYLOAD_CHARS) return text;
  return JSON.stringify({ truncated: true, characters: text.length, preview: text.slice(0, 2048) });
}

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
    traceId: ctx.trace?.traceId ?? null,
  };
}

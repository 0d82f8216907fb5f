// tools/call through the gateway: resolve `<server>__<tool>` to its upstream, refuse tools an
// admin switched off, call with the server's timeout, and turn every upstream failure into a
// tool error the model can read (the session survives). Each call is reported for the MCP log.
import { z } from "zod";
import type { McpCallOutcome } from "../../shared/api-types";
import { validTraceparent } from "../telemetry/message";
import { type TraceContext, traceFrom, upstreamTraceparent } from "../telemetry/trace-context";
import type { Runtime } from "./dispatch";
import { disabledKey } from "./gateway-cache";
import { invalidParams, RpcFault, type RpcResult } from "./json-rpc";
import { UpstreamError, UpstreamRpcError } from "./upstream-client";

export interface CallOutcome {
  at: number;
  tool: string;
  serverId: string | null;
  serverName: string | null;
  upstreamTool: string | null;
  durationMs: number;
  outcome: McpCallOutcome;
  error: string | null;
  requestBytes: number;
  responseBytes: number;
  arguments: unknown;
  result: unknown;
  /** The call's trace: `params._meta.traceparent`, else the HTTP request's, else a new one. */
  trace: TraceContext;
  jsonrpcRequestId: string;
  /** The upstream call (the CLIENT span), when there was one. */
  upstream?: { url: string; startedAt: number; endedAt: number };
}

const CallParams = z
  .object({
    name: z.string().min(1).max(256),
    arguments: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

function toolError(text: string): RpcResult {
  return { content: [{ type: "text", text }], isError: true };
}

function size(value: unknown): number {
  return value === undefined ? 0 : new TextEncoder().encode(JSON.stringify(value)).length;
}

/** The MCP conventions carry trace context in `params._meta`; it wins over the HTTP header's. */
function traceOf(rt: Runtime, meta: unknown): TraceContext {
  const fromMeta =
    typeof meta === "object" && meta !== null && "traceparent" in meta
      ? validTraceparent(meta.traceparent)
      : undefined;
  if (fromMeta) return traceFrom(fromMeta);
  return rt.ctx.trace ?? traceFrom(undefined);
}

export async function callTool(
  rt: Runtime,
  params: unknown,
  requestId: string | number = "",
): Promise<RpcResult> {
  const parsed = CallParams.safeParse(params);
  if (!parsed.success)
    throw invalidParams(
      "tools/call needs params.name (a string) and optional params.arguments (an object).",
    );
  const { name } = parsed.data;
  const started = Date.now();
  const trace = traceOf(rt, parsed.data._meta);
  let upstream: CallOutcome["upstream"];
  const report = (
    o: Omit<
      CallOutcome,
      | "at"
      | "tool"
      | "durationMs"
      | "requestBytes"
      | "arguments"
      | "trace"
      | "jsonrpcRequestId"
      | "upstream"
    >,
  ) =>
    rt.logCall({
      at: started,
      tool: name,
      durationMs: Date.now() - started,
      requestBytes: size(params),
      arguments: parsed.data.arguments ?? null,
      trace,
      jsonrpcRequestId: String(requestId),
      upstream,
      ...o,
    });

  let entry = (await rt.catalog.named(rt.ctx, "tools")).get(name);
  // Not in the cached list: the upstream may have gained it since; ask once more.
  entry ??= (await rt.catalog.named(rt.ctx, "tools", true)).get(name);
  const server = entry && rt.ctx.servers.find((s) => s.id === entry.serverId);
  if (!entry || !server) {
    const off = switchedOff(rt, name);
    const message = off ? `Tool ${name} is switched off on this gateway.` : `Unknown tool: ${name}`;
    report({
      serverId: off?.id ?? null,
      serverName: off?.name ?? null,
      upstreamTool: null,
      outcome: "refused",
      error: message,
      responseBytes: 0,
      result: null,
    });
    throw invalidParams(message);
  }
  const base = { serverId: server.id, serverName: server.name, upstreamTool: entry.name };
  const traceparent = upstreamTraceparent(trace);
  const meta = typeof parsed.data._meta === "object" ? parsed.data._meta : {};
  const upstreamStartedAt = Date.now();
  const ended = () => {
    upstream = { url: server.url, startedAt: upstreamStartedAt, endedAt: Date.now() };
  };
  try {
    const result = await rt
      .connection(server)
      .request(
        "tools/call",
        { ...parsed.data, name: entry.name, _meta: { ...meta, traceparent } },
        {
          timeoutMs: server.timeoutMs,
          onNotification: (n) => rt.relay(n, server.id),
          traceparent,
        },
      )
      .finally(ended);
    const failed = result.isError === true;
    report({
      ...base,
      outcome: failed ? "tool_error" : "ok",
      error: failed ? firstText(result) : null,
      responseBytes: size(result),
      result,
    });
    return result;
  } catch (err) {
    if (err instanceof UpstreamRpcError) {
      report({
        ...base,
        outcome: "upstream_error",
        error: err.message,
        responseBytes: 0,
        result: null,
      });
      throw new RpcFault(err.code, err.message, err.data);
    }
    if (!(err instanceof UpstreamError)) throw err;
    const text = `The tool ${name} failed: upstream server "${server.name}" — ${err.message}`;
    report({
      ...base,
      outcome: err.failure === "timeout" ? "timeout" : "upstream_error",
      error: err.message,
      responseBytes: 0,
      result: null,
    });
    return toolError(text);
  }
}

/** The server of a switched-off tool called by its exposed name, if that is what it is. */
function switchedOff(rt: Runtime, exposed: string) {
  for (const server of rt.ctx.servers) {
    const prefix = `${server.name}__`;
    if (!exposed.startsWith(prefix)) continue;
    if (rt.ctx.disabledTools.includes(disabledKey(server.id, exposed.slice(prefix.length)))) {
      return server;
    }
  }
  return undefined;
}

function firstText(result: RpcResult): string | null {
  const content = result.content;
  if (!Array.isArray(content)) return null;
  const text = content.find((c) => typeof c === "object" && c !== null && c.type === "text");
  return typeof text?.text === "string" ? text.text.slice(0, 500) : null;
}

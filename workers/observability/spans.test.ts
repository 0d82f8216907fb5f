// Spans of telemetry messages, encoded as OTLP/protobuf and OTLP/JSON and decoded by the fake
// collector (protobuf through the official opentelemetry-proto definitions): names, kinds,
// parent/child links, exact attributes and times, errors, content capture and stable ids.
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
} from "@opentelemetry/semantic-conventions/incubating";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeTraces, type ReceivedSpan } from "../../test/fakes/otlp-receiver";
import type { TelemetryMessage } from "../telemetry/message";
import {
  CLIENT_PARENT,
  CLIENT_SPAN,
  COMPLETION,
  llmMessage,
  nanos,
  oldLlmMessage,
  SERVER_SPAN,
  T0,
  TOOL_CLIENT_SPAN,
  TOOL_SERVER_SPAN,
  TRACE_ID,
  toolMessage,
} from "./messages.fixture";
import { type ExportOptions, type OtlpProtocol, testSpanPayload, tracePayload } from "./payloads";

const options = (protocol: OtlpProtocol, captureContent = false): ExportOptions => ({
  protocol,
  samplingRatio: 1,
  captureContent,
  now: T0 + 60_000,
});

/** Both encodings, decoded; they must agree, and the protobuf one is returned. */
function exported(messages: TelemetryMessage[], captureContent = false): ReceivedSpan[] {
  const proto = tracePayload(messages, options("http/protobuf", captureContent));
  const json = tracePayload(messages, options("http/json", captureContent));
  if (!proto || !json) throw new Error("nothing exported");
  expect(proto.contentType).toBe("application/x-protobuf");
  expect(json.contentType).toBe("application/json");
  const fromProto = decodeTraces(proto.body, proto.contentType);
  expect(decodeTraces(json.body, json.contentType)).toEqual(fromProto);
  expect(proto.items).toBe(fromProto.length);
  expect(json.items).toBe(fromProto.length);
  expect(proto.signal).toBe("traces");
  return fromProto;
}

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((s) => s.name === name);
  if (!span) throw new Error(`no span '${name}' in ${spans.map((s) => s.name).join(", ")}`);
  return span;
}

describe("LLM request spans", () => {
  let spans: ReceivedSpan[] = [];
  let server: ReceivedSpan;
  let client: ReceivedSpan;
  beforeAll(() => {
    spans = exported([llmMessage()]);
    server = byName(spans, "POST /v1/messages");
    client = byName(spans, "chat claude-sonnet-4-5");
  });

  it("are a SERVER span under the client's traceparent and a CLIENT child", () => {
    expect(spans).toHaveLength(2);
    expect(server).toMatchObject({
      traceId: TRACE_ID,
      spanId: SERVER_SPAN,
      parentSpanId: CLIENT_PARENT,
      kind: 2,
      scope: "gatehouse",
      resource: {
        "service.name": "gatehouse",
        "service.version": "0.1.0",
        "gatehouse.org.id": "org_1",
      },
    });
    expect(client).toMatchObject({
      traceId: TRACE_ID,
      spanId: CLIENT_SPAN,
      parentSpanId: SERVER_SPAN,
      kind: 3,
    });
  });

  it("span the inbound request and the upstream call, in exact nanoseconds", () => {
    expect(server.startTimeUnixNano).toBe("1767225600123000000");
    expect(server.endTimeUnixNano).toBe(nanos(T0 + 1500));
    expect(client.startTimeUnixNano).toBe(nanos(T0 + 4));
    expect(client.endTimeUnixNano).toBe(nanos(T0 + 1499));
  });

  it("carry the inbound request's attributes on the SERVER span", () => {
    expect(server.attributes).toEqual({
      "http.request.method": "POST",
      "http.route": "/v1/messages",
      "http.response.status_code": 200,
      "gen_ai.conversation.id": "conv_1",
      "gatehouse.request.id": "req_01",
      "gatehouse.user.id": "user_alice",
      "gatehouse.team.ids": ["team_a", "team_b"],
      "gatehouse.virtual_key.id": "vk_1",
      "gatehouse.agent.id": "claude-code",
      "gatehouse.proxy.id": "proxy_1",
      "gatehouse.limit.decision": "admitted",
      "gatehouse.client_gone": false,
      "gatehouse.overhead_ms": 3,
    });
    expect(server.status).toEqual({ code: 0, message: "" });
  });

  it("carry the conventions' GenAI attributes on the CLIENT span, input tokens including cache", () => {
    expect(client.attributes).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gen_ai.request.max_tokens": 1024,
      "gen_ai.request.stream": true,
      "gen_ai.response.id": "msg_01",
      "gen_ai.response.model": "claude-sonnet-4-5",
      "gen_ai.response.finish_reasons": ["tool_use"],
      "gen_ai.response.time_to_first_chunk": 0.25,
      // 100 input + 1000 cache reads + 20 (5 m) + 10 (1 h) cache writes.
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1130,
      "gen_ai.usage.output_tokens": 50,
      "gen_ai.usage.cache_read.input_tokens": 1000,
      "gen_ai.usage.cache_creation.input_tokens": 30,
      "gatehouse.usage.cache_creation_1h.input_tokens": 10,
      "gen_ai.conversation.id": "conv_1",
      "server.address": "api.anthropic.com",
      "server.port": 443,
      "gatehouse.request.id": "req_01",
      "gatehouse.user.id": "user_alice",
      "gatehouse.team.ids": ["team_a", "team_b"],
      "gatehouse.virtual_key.id": "vk_1",
      "gatehouse.agent.id": "claude-code",
      "gatehouse.proxy.id": "proxy_1",
      "gatehouse.billing.mode": "metered",
      "gatehouse.cost.usd": 0.012345,
      "gatehouse.limit.decision": "admitted",
      "gatehouse.client_gone": false,
      "gatehouse.overhead_ms": 3,
    });
    expect(client.status.code).toBe(0);
  });

  it("add prompts and completions only while content is captured", () => {
    const contentKeys = [
      ATTR_GEN_AI_INPUT_MESSAGES,
      ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
      ATTR_GEN_AI_OUTPUT_MESSAGES,
    ];
    for (const span of spans) {
      for (const key of contentKeys) expect(span.attributes).not.toHaveProperty(key);
    }
    const captured = byName(exported([llmMessage()], true), "chat claude-sonnet-4-5");
    expect(captured.attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]).toBe(
      JSON.stringify("You are terse."),
    );
    expect(captured.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBe(
      JSON.stringify([{ role: "user", content: "Say hi" }]),
    );
    expect(captured.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBe(COMPLETION);
  });

  it("carry long, non-ASCII content byte for byte", () => {
    const output = JSON.stringify([{ type: "text", text: "é€😀 ".repeat(5000) }]);
    const captured = byName(
      exported([llmMessage({}, { content: { input: "not JSON ✓", output } })], true),
      "chat claude-sonnet-4-5",
    );
    expect(captured.attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBe(output);
    // A prompt that is not the {system, messages} form passes through whole.
    expect(captured.attributes[ATTR_GEN_AI_INPUT_MESSAGES]).toBe("not JSON ✓");
    expect(captured.attributes).not.toHaveProperty(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS);
  });

  it("mark a provider's error with error.type and an ERROR status on both spans", () => {
    const failed = exported([
      llmMessage(
        { status: 529, errorType: "overloaded_error", outputTokens: 0 },
        { finishReasons: [] },
      ),
    ]);
    for (const span of failed) {
      expect(span.attributes[ATTR_ERROR_TYPE]).toBe("overloaded_error");
      expect(span.status).toEqual({ code: 2, message: "overloaded_error (HTTP 529)" });
    }
    const bare = exported([llmMessage({ status: 500, errorType: null })]);
    for (const span of bare) {
      expect(span.attributes[ATTR_ERROR_TYPE]).toBe("500");
      expect(span.status.code).toBe(2);
    }
  });

  it("leave out the CLIENT span of a request the gateway refused before calling upstream", () => {
    const refused = exported([
      llmMessage(
        { status: 429, errorType: "rate_limit_error", upstreamRequestId: null, inputTokens: 0 },
        {
          limitDecision: "refused",
          upstreamStartedAt: undefined,
          upstreamEndedAt: undefined,
          responseId: undefined,
        },
      ),
    ]);
    expect(refused.map((s) => s.name)).toEqual(["POST /v1/messages"]);
    expect(refused[0]?.attributes["gatehouse.limit.decision"]).toBe("refused");
    expect(refused[0]?.status.code).toBe(2);
  });

  it("name count_tokens and models calls by what they are", () => {
    const counted = exported([llmMessage({ endpoint: "count_tokens", streamed: false })]);
    expect(counted.map((s) => s.name).sort()).toEqual([
      "POST /v1/messages/count_tokens",
      "count_tokens claude-sonnet-4-5",
    ]);
    const models = exported([llmMessage({ endpoint: "models", model: null, streamed: false })]);
    expect(models.map((s) => s.name).sort()).toEqual(["GET /v1/models", "models"]);
    expect(byName(models, "GET /v1/models").attributes["http.request.method"]).toBe("GET");
  });
});

describe("MCP tool call spans", () => {
  let spans: ReceivedSpan[] = [];
  let server: ReceivedSpan;
  let client: ReceivedSpan;
  beforeAll(() => {
    spans = exported([toolMessage()]);
    server = byName(spans, "tools/call files__read_file");
    client = byName(spans, "tools/call read_file");
  });

  it("are a SERVER span and a CLIENT child for the upstream server's call", () => {
    expect(spans).toHaveLength(2);
    expect(server).toMatchObject({
      traceId: TRACE_ID,
      spanId: TOOL_SERVER_SPAN,
      parentSpanId: CLIENT_PARENT,
      kind: 2,
      startTimeUnixNano: nanos(T0 + 2000),
      endTimeUnixNano: nanos(T0 + 2080),
    });
    expect(client).toMatchObject({
      spanId: TOOL_CLIENT_SPAN,
      parentSpanId: TOOL_SERVER_SPAN,
      kind: 3,
      startTimeUnixNano: nanos(T0 + 2010),
      endTimeUnixNano: nanos(T0 + 2070),
    });
  });

  it("carry the MCP conventions' attributes, a tool error as error.type and status", () => {
    expect(server.attributes).toEqual({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "files__read_file",
      "gen_ai.conversation.id": "conv_1",
      "error.type": "tool_error",
      "gatehouse.request.id": "call_01",
      "gatehouse.mcp.server": "files",
      "gatehouse.gateway.slug": "eng",
      "gatehouse.user.id": "user_alice",
      "mcp.session.id": "sess_1",
      "mcp.protocol.version": "2025-06-18",
      "jsonrpc.request.id": "7",
      "gatehouse.oauth.client.id": "client_claude",
      "gatehouse.policy.decision": "allow",
    });
    expect(client.attributes).toEqual({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "read_file",
      "gen_ai.conversation.id": "conv_1",
      "error.type": "tool_error",
      "gatehouse.request.id": "call_01",
      "gatehouse.mcp.server": "files",
      "gatehouse.gateway.slug": "eng",
      "gatehouse.user.id": "user_alice",
      "server.address": "files.internal",
      "server.port": 8443,
    });
    for (const span of spans) expect(span.status.code).toBe(2);
    // The error text can quote the tool's output: it is content, never in the status.
    expect(JSON.stringify(spans)).not.toContain("/secret/path");
  });

  it("add tool arguments and results only while content is captured", () => {
    for (const span of spans) {
      expect(span.attributes).not.toHaveProperty(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS);
      expect(span.attributes).not.toHaveProperty(ATTR_GEN_AI_TOOL_CALL_RESULT);
    }
    const captured = byName(exported([toolMessage()], true), "tools/call files__read_file");
    expect(captured.attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]).toBe(
      JSON.stringify({ path: "notes/a.md" }),
    );
    expect(captured.attributes[ATTR_GEN_AI_TOOL_CALL_RESULT]).toBe(
      JSON.stringify({ isError: true }),
    );
  });

  it("are UNSET for a call that succeeded, and without a CLIENT span when refused", () => {
    const ok = exported([toolMessage({ outcome: "ok", error: null })]);
    for (const span of ok) {
      expect(span.status.code).toBe(0);
      expect(span.attributes).not.toHaveProperty("error.type");
    }
    const refused = exported([toolMessage({ outcome: "refused" })]);
    expect(refused.map((s) => s.name)).toEqual(["tools/call files__read_file"]);
    expect(refused[0]?.attributes["error.type"]).toBe("refused");
  });

  it("share the trace and conversation of the LLM request that led to them", () => {
    const both = exported([llmMessage(), toolMessage()]);
    expect(new Set(both.map((s) => s.traceId))).toEqual(new Set([TRACE_ID]));
    expect(new Set(both.map((s) => s.attributes["gen_ai.conversation.id"]))).toEqual(
      new Set(["conv_1"]),
    );
  });
});

describe("messages without span ids (older messages)", () => {
  it("get valid ids derived from the row id, the same on every export", () => {
    const first = exported([oldLlmMessage("req_old_1"), oldLlmMessage("req_old_2")]);
    const again = exported([oldLlmMessage("req_old_1"), oldLlmMessage("req_old_2")]);
    expect(again).toEqual(first);
    const [server1, client1, server2] = first;
    expect(server1?.traceId).toMatch(/^[\da-f]{32}$/);
    expect(server1?.traceId).not.toMatch(/^0+$/);
    expect(server1?.spanId).toMatch(/^[\da-f]{16}$/);
    expect(server1?.parentSpanId).toBeNull();
    expect(client1?.parentSpanId).toBe(server1?.spanId);
    expect(client1?.spanId).not.toBe(server1?.spanId);
    expect(server2?.traceId).not.toBe(server1?.traceId);
  });

  it("time the CLIENT span by the inbound request when upstream times are missing", () => {
    const [server, client] = exported([oldLlmMessage("req_old_3")]);
    expect(client?.startTimeUnixNano).toBe(server?.startTimeUnixNano);
    expect(client?.endTimeUnixNano).toBe(nanos(T0 + 900));
  });
});

describe("the OTLP/JSON form", () => {
  it("has hex ids, numeric enums, nanoseconds and int64 as decimal strings", () => {
    const payload = tracePayload([llmMessage()], options("http/json"));
    const json = JSON.parse(new TextDecoder().decode(payload?.body)) as {
      resourceSpans: {
        scopeSpans: {
          spans: {
            traceId: string;
            spanId: string;
            kind: unknown;
            startTimeUnixNano: unknown;
            attributes: { key: string; value: Record<string, unknown> }[];
          }[];
        }[];
      }[];
    };
    const span = json.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span?.traceId).toBe(TRACE_ID);
    expect(span?.spanId).toBe(SERVER_SPAN);
    expect(span?.kind).toBe(2);
    expect(span?.startTimeUnixNano).toBe("1767225600123000000");
    const status = span?.attributes.find((a) => a.key === "http.response.status_code");
    expect(status?.value).toEqual({ intValue: "200" });
  });
});

describe("the test span", () => {
  it("is one span named 'gatehouse test span' in either encoding", () => {
    for (const protocol of ["http/protobuf", "http/json"] as const) {
      const payload = testSpanPayload(protocol, T0);
      expect(payload.items).toBe(1);
      const spans = decodeTraces(payload.body, payload.contentType);
      expect(spans).toHaveLength(1);
      expect(spans[0]).toMatchObject({
        name: "gatehouse test span",
        startTimeUnixNano: nanos(T0),
        resource: { "service.name": "gatehouse" },
      });
      expect(spans[0]?.traceId).toMatch(/^[\da-f]{32}$/);
    }
  });
});

// Metrics of a batch, encoded as OTLP/protobuf and OTLP/JSON and decoded by the fake collector:
// delta temporality, the conventions' names, units and bucket boundaries, aggregation by
// labels, refusals by reason, and no person ever as a label.
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_MCP_SERVER_OPERATION_DURATION,
} from "@opentelemetry/semantic-conventions/incubating";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeMetrics,
  type ReceivedDataPoint,
  type ReceivedMetric,
} from "../../test/fakes/otlp-receiver";
import type { TelemetryMessage } from "../telemetry/message";
import { llmMessage, nanos, T0, toolMessage } from "./messages.fixture";
import { type ExportOptions, metricPayload, type OtlpProtocol } from "./payloads";

const NOW = T0 + 60_000;
const options = (protocol: OtlpProtocol): ExportOptions => ({
  protocol,
  samplingRatio: 0,
  captureContent: true,
  now: NOW,
});

function exported(messages: TelemetryMessage[]): ReceivedMetric[] {
  const proto = metricPayload(messages, options("http/protobuf"));
  const json = metricPayload(messages, options("http/json"));
  if (!proto || !json) throw new Error("nothing exported");
  expect(proto.signal).toBe("metrics");
  const fromProto = decodeMetrics(proto.body, proto.contentType);
  expect(decodeMetrics(json.body, json.contentType)).toEqual(fromProto);
  const points = fromProto.reduce((n, m) => n + m.dataPoints.length, 0);
  expect(proto.items).toBe(points);
  expect(json.items).toBe(points);
  return fromProto;
}

function metric(metrics: ReceivedMetric[], name: string): ReceivedMetric {
  const found = metrics.find((m) => m.name === name);
  if (!found) throw new Error(`no metric '${name}' in ${metrics.map((m) => m.name).join(", ")}`);
  return found;
}

function point(m: ReceivedMetric, attributes: Record<string, unknown>): ReceivedDataPoint {
  const found = m.dataPoints.find((p) =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  );
  if (!found) throw new Error(`no point of ${m.name} with ${JSON.stringify(attributes)}`);
  return found;
}

// Two successful streamed requests of one model and proxy, one overloaded, one refused by a
// gateway budget, one refused for a bad body, and two MCP tool calls (an error and a success).
const batch: TelemetryMessage[] = [
  llmMessage({ id: "r1", ttfbMs: 250, overheadMs: 3 }),
  llmMessage(
    { id: "r2", userId: "user_bob", virtualKeyId: "vk_2", conversationId: "conv_2", ttfbMs: 750 },
    {
      startedAt: T0 - 5000,
      endedAt: T0 - 3000,
      upstreamStartedAt: T0 - 4990,
      upstreamEndedAt: T0 - 3010,
    },
  ),
  llmMessage({
    id: "r3",
    status: 529,
    errorType: "overloaded_error",
    outputTokens: 0,
    costMicroUsd: 0,
  }),
  llmMessage(
    { id: "r4", status: 402, errorType: "billing_error", upstreamRequestId: null, costMicroUsd: 0 },
    {
      limitDecision: "refused",
      upstreamStartedAt: undefined,
      upstreamEndedAt: undefined,
      responseId: undefined,
    },
  ),
  llmMessage(
    {
      id: "r5",
      status: 400,
      errorType: "invalid_request_error",
      upstreamRequestId: null,
      costMicroUsd: 0,
    },
    {
      limitDecision: "none",
      upstreamStartedAt: undefined,
      upstreamEndedAt: undefined,
      responseId: undefined,
    },
  ),
  toolMessage({ id: "c1" }),
  toolMessage({ id: "c2", outcome: "ok", error: null }, { startedAt: T0, endedAt: T0 + 1200 }),
];

describe("metrics of a batch", () => {
  let metrics: ReceivedMetric[] = [];
  beforeAll(() => {
    metrics = exported(batch);
  });

  it("are the conventions' instruments plus Gatehouse's, all delta", () => {
    expect(metrics.map((m) => m.name).sort()).toEqual(
      [
        METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
        METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
        METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
        METRIC_MCP_SERVER_OPERATION_DURATION,
        "gatehouse.overhead",
        "gatehouse.cost",
        "gatehouse.requests.refused",
      ].sort(),
    );
    for (const m of metrics) {
      expect(m.aggregationTemporality).toBe(1);
      expect(m.resource).toEqual({
        "service.name": "gatehouse",
        "service.version": "0.1.0",
        "gatehouse.org.id": "org_1",
      });
      expect(m.scope).toBe("gatehouse");
    }
    expect(metric(metrics, "gatehouse.cost")).toMatchObject({
      type: "sum",
      isMonotonic: true,
      unit: "USD",
    });
    expect(metric(metrics, "gatehouse.requests.refused")).toMatchObject({
      type: "sum",
      isMonotonic: true,
    });
    expect(metric(metrics, METRIC_GEN_AI_CLIENT_OPERATION_DURATION)).toMatchObject({
      type: "histogram",
      unit: "s",
    });
    expect(metric(metrics, METRIC_GEN_AI_CLIENT_TOKEN_USAGE).unit).toBe("{token}");
  });

  it("run from the batch's earliest start to the export time", () => {
    for (const m of metrics) {
      for (const p of m.dataPoints) {
        expect(p.startTimeUnixNano).toBe(nanos(T0 - 5000));
        expect(p.timeUnixNano).toBe(nanos(NOW));
      }
    }
  });

  it("aggregate operation durations by model, proxy, agent and error, in advised buckets", () => {
    const duration = metric(metrics, METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    const labels = {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gatehouse.proxy.id": "proxy_1",
      "gatehouse.agent.id": "claude-code",
    };
    // r1 and r2 share every label (different people do not split a series).
    expect(duration.dataPoints).toHaveLength(2);
    const ok = duration.dataPoints.find((p) => !("error.type" in p.attributes));
    expect(ok?.attributes).toEqual(labels);
    expect(ok).toMatchObject({ count: 2, sum: 1.495 + 1.98, min: 1.495, max: 1.98 });
    expect(ok?.explicitBounds).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    // Both fall in (1.28, 2.56].
    expect(ok?.bucketCounts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    const failed = point(duration, { "error.type": "overloaded_error" });
    expect(failed.count).toBe(1);
  });

  it("count tokens by type, input including cache reads and writes", () => {
    const tokens = metric(metrics, METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    const input = point(tokens, { "gen_ai.token.type": "input" });
    const output = point(tokens, { "gen_ai.token.type": "output" });
    // Two successful requests of 100 + 1000 + 20 + 10 input tokens; the 529 has no usage point.
    expect(input).toMatchObject({ count: 2, sum: 2260, min: 1130, max: 1130 });
    expect(output).toMatchObject({ count: 2, sum: 100 });
    expect(input.explicitBounds?.[0]).toBe(1);
    expect(input.explicitBounds?.at(-1)).toBe(67108864);
  });

  it("record time to first chunk, the gateway's own time and cost", () => {
    const ttfc = metric(metrics, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
    expect(point(ttfc, { "gen_ai.request.model": "claude-sonnet-4-5" })).toMatchObject({
      count: 3,
      sum: 0.25 + 0.75 + 0.25,
    });
    const overhead = metric(metrics, "gatehouse.overhead");
    // The three requests that went upstream; a refusal is counted as a refusal instead.
    expect(overhead.dataPoints.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);
    expect(point(overhead, { "gatehouse.proxy.id": "proxy_1" }).explicitBounds?.[0]).toBe(0.0005);
    const cost = metric(metrics, "gatehouse.cost");
    const metered = point(cost, { "gatehouse.billing.mode": "metered" });
    expect(metered.value).toBeCloseTo(0.02469, 10);
  });

  it("count the gateway's refusals by reason", () => {
    const refused = metric(metrics, "gatehouse.requests.refused");
    expect(point(refused, { "gatehouse.refusal.reason": "billing_error" }).value).toBe(1);
    expect(point(refused, { "gatehouse.refusal.reason": "invalid_request_error" }).value).toBe(1);
    // The provider's own 529 is not a refusal.
    expect(refused.dataPoints).toHaveLength(2);
  });

  it("time MCP tool calls by tool, gateway, server and error", () => {
    const mcp = metric(metrics, METRIC_MCP_SERVER_OPERATION_DURATION);
    expect(mcp.unit).toBe("s");
    expect(point(mcp, { "error.type": "tool_error" })).toMatchObject({
      count: 1,
      sum: 0.08,
      attributes: {
        "mcp.method.name": "tools/call",
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "files__read_file",
        "gatehouse.gateway.slug": "eng",
        "gatehouse.mcp.server": "files",
        "error.type": "tool_error",
      },
    });
    const ok = mcp.dataPoints.find((p) => !("error.type" in p.attributes));
    expect(ok).toMatchObject({ count: 1, sum: 1.2 });
    expect(ok?.explicitBounds).toEqual([
      0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
    ]);
  });

  it("never label a person, key, team or conversation", () => {
    const forbiddenKeys = [
      "gatehouse.user.id",
      "gatehouse.virtual_key.id",
      "gatehouse.passthrough_key.id",
      "gatehouse.team.ids",
      "gen_ai.conversation.id",
      "gatehouse.oauth.client.id",
      "mcp.session.id",
    ];
    const people = [
      "user_alice",
      "user_bob",
      "vk_1",
      "vk_2",
      "team_a",
      "conv_1",
      "conv_2",
      "sess_1",
    ];
    for (const m of metrics) {
      for (const p of m.dataPoints) {
        for (const key of forbiddenKeys) expect(p.attributes).not.toHaveProperty(key);
        for (const value of Object.values(p.attributes)) expect(people).not.toContain(value);
      }
    }
  });
});

describe("metric payloads", () => {
  it("are undefined for an empty batch, and never sampled", () => {
    expect(metricPayload([], options("http/protobuf"))).toBeUndefined();
    // samplingRatio 0 (as in every test here) still exports metrics.
    expect(metricPayload([toolMessage()], options("http/json"))?.items).toBe(1);
  });

  it("keep a refused MCP call as a refusal and a duration", () => {
    const metrics = exported([toolMessage({ outcome: "refused" })]);
    const refused = metric(metrics, "gatehouse.requests.refused");
    expect(refused.dataPoints[0]?.attributes).toEqual({
      "gatehouse.refusal.reason": "tool_call_refused",
      "gatehouse.gateway.slug": "eng",
    });
    expect(
      point(metric(metrics, METRIC_MCP_SERVER_OPERATION_DURATION), { "error.type": "refused" })
        .count,
    ).toBe(1);
  });
});

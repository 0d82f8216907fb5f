// /api/observability over log rows written straight into D1 with known values: requests per
// time bucket by outcome, exact nearest-rank p50/p95 of time to first byte, duration, the
// gateway's added time and tokens per second, errors by type, MCP tool calls, the filters and
// their choices, organisation scoping, the range cap, and a request's trace (its conversation's
// LLM requests and tool calls in time order, else its trace id's) with its captured content.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type LlmPayload,
  type LlmRequestRow,
  llmPayloads,
  llmRequests,
  type McpToolCall,
  mcpToolCalls,
} from "../../d1/schema";
import type {
  ObservabilityFilterOptions,
  ObservabilitySummary,
  ObservedRequestDetail,
  RequestBucket,
} from "../../shared/api-types";
import { jsonRowsInsert } from "../../workers/db";
import { expectApiError, expectFieldError } from "./api-helpers";
import { type Admin, admin, createUser, proxyWithKey } from "./helpers";
import { llmRow, toolRow } from "./telemetry-rows";

const MIN = 60_000;
const HOUR = 60 * MIN;
/** A whole hour in the past: buckets of every size start on it. */
const T0 = Date.UTC(2025, 5, 2, 10, 0, 0);
const HAIKU = "claude-haiku-4-5";
const SONNET = "claude-sonnet-4-5";
const CONV = "conv-observability-1";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const OTHER_ORG = "org_observability_elsewhere";

let a: Admin;
let memberId: string;
let proxyA: string;
const PROXY_B = "prx_observability_b";
const GATEWAY_A = "mcg_observability_a";
const GATEWAY_B = "mcg_observability_b";

async function insert(
  requests: LlmRequestRow[],
  calls: McpToolCall[] = [],
  payloads: LlmPayload[] = [],
) {
  await env.DB.batch([
    env.DB.prepare(jsonRowsInsert(llmRequests, { rolled_up: "1" })).bind(JSON.stringify(requests)),
    env.DB.prepare(jsonRowsInsert(mcpToolCalls)).bind(JSON.stringify(calls)),
    env.DB.prepare(jsonRowsInsert(llmPayloads)).bind(JSON.stringify(payloads)),
  ]);
}

/** A request of the admin's organisation on proxy A, streamed and answered, unless overridden. */
function req(id: string, createdAt: number, over: Partial<LlmRequestRow> = {}): LlmRequestRow {
  return llmRow(id, {
    orgId: a.orgId,
    userId: a.userId,
    proxyId: proxyA,
    agentId: "desktop",
    model: HAIKU,
    createdAt,
    conversationId: null,
    traceId: null,
    overheadMs: null,
    ...over,
  });
}

function call(id: string, at: number, over: Partial<McpToolCall> = {}): McpToolCall {
  return toolRow(id, {
    orgId: a.orgId,
    userId: a.userId,
    gatewayId: GATEWAY_A,
    gatewaySlug: "tools",
    serverName: "files",
    at,
    ...over,
  });
}

beforeAll(async () => {
  a = await admin();
  memberId = (await createUser(a, "obs-member@acme.test")).id;
  proxyA = (await proxyWithKey(a)).proxyId;

  // Minute 0: twenty answered requests with known timings, in shuffled order, and one the
  // gateway refused (a 429 before the provider answered: no first byte, left out of latency).
  const order = [7, 3, 19, 1, 12, 20, 5, 16, 9, 14, 2, 18, 11, 6, 13, 4, 17, 8, 15, 10];
  const minute0 = order.map((i) =>
    req(`req_ok_${i}`, T0 + i * 1000, {
      ttfbMs: i * 10,
      durationMs: i * 100,
      overheadMs: i,
      // Streamed for duration − ttfb = 90·i ms: 100·i tokens per second.
      outputTokens: 9 * i * i,
      streamed: true,
    }),
  );
  const refused = req("req_refused", T0 + 30_000, {
    status: 429,
    errorType: "rate_limit_error",
    ttfbMs: null,
    durationMs: 2,
    outputTokens: 0,
  });
  // Minute 1: a stream that ended with an error event, a 502, a client that went away, and a
  // count_tokens call (counted, but not in latency).
  const minute1 = [
    req("req_overloaded", T0 + MIN + 1000, {
      errorType: "overloaded_error",
      ttfbMs: 30,
      durationMs: 300,
      outputTokens: 0,
    }),
    req("req_502", T0 + MIN + 2000, {
      status: 502,
      errorType: "api_error",
      ttfbMs: null,
      durationMs: 40,
      outputTokens: 0,
    }),
    req("req_gone", T0 + MIN + 3000, { clientGone: true, errorType: "client_gone" }),
    req("req_count", T0 + MIN + 4000, { endpoint: "count_tokens", outputTokens: 0 }),
  ];
  // Minute 3: another person, model, agent and proxy. Minute 5: the provider's own 400.
  const minute3 = [40, 60].map((ttfb, i) =>
    req(`req_member_${i}`, T0 + 3 * MIN + i * 1000, {
      userId: memberId,
      model: SONNET,
      agentId: "code",
      proxyId: PROXY_B,
      ttfbMs: ttfb,
      durationMs: ttfb * 10,
    }),
  );
  const clientError = req("req_400", T0 + 5 * MIN, {
    status: 400,
    errorType: "invalid_request_error",
    ttfbMs: 8,
    durationMs: 9,
    outputTokens: 0,
  });
  // Minute 10: a conversation of three LLM requests and two tool calls between them; a
  // request of the same conversation three hours later (outside the trace window); and the
  // other organisation's request and call carrying the same conversation id.
  const conversation = [
    req("req_conv_1", T0 + 10 * MIN, { conversationId: CONV, ttfbMs: 400, durationMs: 1500 }),
    req("req_conv_2", T0 + 10 * MIN + 5000, {
      conversationId: CONV,
      ttfbMs: 300,
      durationMs: 1000,
      overheadMs: 12,
    }),
    req("req_conv_3", T0 + 10 * MIN + 9000, { conversationId: CONV, ttfbMs: 200 }),
    req("req_conv_later", T0 + 3 * HOUR + 10 * MIN, { conversationId: CONV }),
  ];
  const conversationCalls = [
    call("call_conv_1", T0 + 10 * MIN + 2000, {
      conversationId: CONV,
      tool: "files__read_file",
      durationMs: 100,
    }),
    call("call_conv_2", T0 + 10 * MIN + 6000, {
      conversationId: CONV,
      tool: "files__write_file",
      outcome: "tool_error",
      durationMs: 300,
    }),
    call("call_gateway_b", T0 + 10 * MIN + 7000, {
      gatewayId: GATEWAY_B,
      gatewaySlug: "search",
      tool: "web__search",
      durationMs: 50,
    }),
  ];
  // Minute 12: two requests and a call joined only by a trace id; minute 13: one with neither.
  const traced = [
    req("req_trace_1", T0 + 12 * MIN, { traceId: TRACE }),
    req("req_trace_2", T0 + 12 * MIN + 3000, { traceId: TRACE }),
    req("req_alone", T0 + 13 * MIN, { ttfbMs: 70, durationMs: 700, overheadMs: 4 }),
  ];
  const tracedCall = call("call_trace", T0 + 12 * MIN + 1000, { traceId: TRACE });

  const elsewhere = [1, 2, 3, 4, 5].map((i) =>
    llmRow(`req_elsewhere_${i}`, {
      orgId: OTHER_ORG,
      userId: "usr_elsewhere",
      proxyId: "prx_elsewhere",
      agentId: "elsewhere-agent",
      model: "claude-elsewhere",
      createdAt: T0 + i * 1000,
      ttfbMs: 99_999,
      durationMs: 999_999,
      conversationId: i === 1 ? CONV : null,
      traceId: i === 2 ? TRACE : null,
    }),
  );
  elsewhere.push(
    llmRow("req_elsewhere_conv", {
      orgId: OTHER_ORG,
      createdAt: T0 + 10 * MIN + 3000,
      conversationId: CONV,
    }),
  );
  const elsewhereCall = toolRow("call_elsewhere", {
    orgId: OTHER_ORG,
    userId: "usr_elsewhere",
    at: T0 + 10 * MIN + 4000,
    conversationId: CONV,
    gatewayId: "mcg_elsewhere",
  });

  await insert(
    [
      ...minute0,
      refused,
      ...minute1,
      ...minute3,
      clientError,
      ...conversation,
      ...traced,
      ...elsewhere,
    ],
    [...conversationCalls, tracedCall, elsewhereCall],
    [
      {
        requestId: "req_conv_2",
        orgId: a.orgId,
        createdAt: T0 + 10 * MIN + 5000,
        request: JSON.stringify({ messages: [{ role: "user", content: "Read the report" }] }),
        response: JSON.stringify({ content: [{ type: "text", text: "The report says hello" }] }),
      },
      {
        requestId: "req_elsewhere_conv",
        orgId: OTHER_ORG,
        createdAt: T0 + 10 * MIN + 3000,
        request: "their prompt",
        response: "their completion",
      },
    ],
  );
});

const RANGE = `from=${T0}&to=${T0 + 15 * MIN}`;
const summary = (query = "") =>
  a.json<ObservabilitySummary>(`/observability/summary?${RANGE}&bucket=1m${query}`);
const bucketAt = (s: ObservabilitySummary, minute: number): RequestBucket => {
  const b = s.requests.buckets.find((x) => x.at === T0 + minute * MIN);
  if (!b) throw new Error(`no bucket at minute ${minute}`);
  return b;
};
const detail = (id: string) =>
  a.json<ObservedRequestDetail>(`/observability/requests/${encodeURIComponent(id)}`);

describe("the summary", () => {
  it("counts requests per bucket by outcome, every bucket of the range present", async () => {
    const s = await summary();
    expect(s.bucket).toBe("1m");
    expect(s.requests.buckets.map((b) => b.at)).toEqual(
      Array.from({ length: 15 }, (_, i) => T0 + i * MIN),
    );
    expect(bucketAt(s, 0).requests).toEqual({
      ok: 20,
      client_error: 0,
      server_error: 0,
      refused: 1,
      client_gone: 0,
    });
    expect(bucketAt(s, 1).requests).toEqual({
      ok: 1,
      client_error: 0,
      server_error: 2,
      refused: 0,
      client_gone: 1,
    });
    expect(bucketAt(s, 3).requests.ok).toBe(2);
    expect(bucketAt(s, 5).requests.client_error).toBe(1);
    expect(bucketAt(s, 10).requests.ok).toBe(3);
    expect(bucketAt(s, 2).total).toBe(0);
    expect(s.requests.totals.requests).toEqual({
      ok: 29,
      client_error: 1,
      server_error: 2,
      refused: 1,
      client_gone: 1,
    });
    expect(s.requests.totals.total).toBe(34);
    expect(s.requests.totals.outputTokens).toBe(
      // 9·i² over the twenty, plus the fixture's 5 on each of the other answered requests.
      9 * [...Array(20)].reduce((sum: number, _, i) => sum + (i + 1) ** 2, 0) + 5 * 9,
    );
  });

  it("gives exact nearest-rank p50 and p95 per bucket, refused requests left out", async () => {
    const b = bucketAt(await summary(), 0);
    expect(b.ttfbMs).toEqual({ p50: 100, p95: 190, count: 20 });
    expect(b.durationMs).toEqual({ p50: 1000, p95: 1900, count: 20 });
    expect(b.overheadMs).toEqual({ p50: 10, p95: 19, count: 20 });
    expect(b.outputTokensPerSecond).toEqual({ p50: 1000, p95: 1900, count: 20 });
    // Minute 10: three requests; the p50 of three values is the 2nd, the p95 the 3rd.
    const conv = bucketAt(await summary(), 10);
    expect(conv.ttfbMs).toEqual({ p50: 300, p95: 400, count: 3 });
    expect(conv.overheadMs).toEqual({ p50: 12, p95: 12, count: 1 });
    const empty = bucketAt(await summary(), 2);
    expect(empty.ttfbMs).toEqual({ p50: null, p95: null, count: 0 });
  });

  it("gives the whole range's percentiles in the totals", async () => {
    const s = await summary("&model=claude-sonnet-4-5");
    expect(s.requests.totals.ttfbMs).toEqual({ p50: 40, p95: 60, count: 2 });
    expect(s.requests.totals.durationMs).toEqual({ p50: 400, p95: 600, count: 2 });
    // Every Messages request the provider was asked: 20 + overloaded + 502 + gone + 2 + 400 +
    // 3 + 3 (the refused one and count_tokens left out).
    const all = await summary();
    expect(all.requests.totals.durationMs.count).toBe(32);
  });

  it("counts errors by type with their outcome", async () => {
    const s = await summary();
    const errors = Object.fromEntries(s.errors.map((e) => [e.errorType, [e.outcome, e.count]]));
    expect(errors).toEqual({
      rate_limit_error: ["refused", 1],
      overloaded_error: ["server_error", 1],
      api_error: ["server_error", 1],
      client_gone: ["client_gone", 1],
      invalid_request_error: ["client_error", 1],
    });
  });

  it("counts MCP tool calls by outcome with their p50/p95 duration", async () => {
    const s = await summary();
    const b = s.toolCalls.buckets.find((x) => x.at === T0 + 10 * MIN);
    expect(b?.calls).toEqual({
      ok: 2,
      tool_error: 1,
      upstream_error: 0,
      timeout: 0,
      refused: 0,
    });
    expect(b?.durationMs).toEqual({ p50: 100, p95: 300, count: 3 });
    expect(s.toolCalls.totals.total).toBe(4);
    const gatewayB = await summary(`&gatewayId=${GATEWAY_B}`);
    expect(gatewayB.toolCalls.totals.total).toBe(1);
    expect(gatewayB.toolCalls.totals.durationMs).toEqual({ p50: 50, p95: 50, count: 1 });
  });

  it("narrows by person, agent, model and proxy", async () => {
    for (const query of [
      `&userId=${memberId}`,
      "&agentId=code",
      `&model=${SONNET}`,
      `&proxyId=${PROXY_B}`,
    ]) {
      const s = await summary(query);
      expect(s.requests.totals.total, query).toBe(2);
      expect(bucketAt(s, 3).requests.ok, query).toBe(2);
      expect(s.recent.map((r) => r.id).sort(), query).toEqual(["req_member_0", "req_member_1"]);
    }
    // The person filter narrows tool calls too: the member made none.
    expect((await summary(`&userId=${memberId}`)).toolCalls.totals.total).toBe(0);
    expect((await summary(`&agentId=code&model=${HAIKU}`)).requests.totals.total).toBe(0);
  });

  it("lists the newest requests, never another organisation's", async () => {
    const s = await summary();
    expect(s.recent).toHaveLength(25);
    expect(s.recent.slice(0, 3).map((r) => r.id)).toEqual([
      "req_alone",
      "req_trace_2",
      "req_trace_1",
    ]);
    expect(s.recent[0]).toMatchObject({
      outcome: "ok",
      userEmail: "ada@acme.test",
      ttfbMs: 70,
      overheadMs: 4,
    });
    const everything = await a.json<ObservabilitySummary>(
      `/observability/summary?from=${T0}&to=${T0 + 4 * HOUR}`,
    );
    const text = JSON.stringify(everything);
    expect(text).not.toContain("elsewhere");
    expect(everything.requests.totals.total).toBe(35);
    expect(everything.requests.totals.ttfbMs.p95).toBeLessThan(99_999);
  });

  it("chooses the bucket from the range", async () => {
    const oneHour = await a.json<ObservabilitySummary>(
      `/observability/summary?from=${T0}&to=${T0 + HOUR}`,
    );
    expect([oneHour.bucket, oneHour.requests.buckets.length]).toEqual(["1m", 60]);
    const day = await a.json<ObservabilitySummary>(
      `/observability/summary?from=${T0}&to=${T0 + 24 * HOUR}`,
    );
    expect([day.bucket, day.requests.buckets.length]).toEqual(["15m", 96]);
    expect(day.requests.buckets[0]?.requests.ok).toBe(29);
    const week = await a.json<ObservabilitySummary>(
      `/observability/summary?from=${T0}&to=${T0 + 7 * 24 * HOUR}`,
    );
    expect([week.bucket, week.requests.buckets.length]).toEqual(["1h", 168]);
    expect(week.requests.buckets[0]?.total).toBe(34);
    expect(week.requests.buckets[3]?.total).toBe(1);
  });

  it("answers an empty range with zeros", async () => {
    const s = await a.json<ObservabilitySummary>(
      `/observability/summary?from=${T0 - 2 * HOUR}&to=${T0 - HOUR}`,
    );
    expect(s.requests.totals.total).toBe(0);
    expect(s.toolCalls.totals.total).toBe(0);
    expect(s.recent).toEqual([]);
    expect(s.errors).toEqual([]);
    expect(s.requests.totals.ttfbMs).toEqual({ p50: null, p95: null, count: 0 });
  });
});

describe("bad input", () => {
  it("refuses a range longer than 31 days, naming the field", async () => {
    const body = await expectFieldError(
      await a.api(`/observability/summary?from=${T0}&to=${T0 + 32 * 24 * HOUR}`),
      "from",
    );
    expect(body.error.message).toMatch(/31 days/);
    await expectFieldError(
      await a.api(`/observability/filters?from=${T0}&to=${T0 + 40 * 24 * HOUR}`),
      "from",
    );
    // Exactly 31 days is allowed.
    expect(
      (await a.api(`/observability/summary?from=${T0}&to=${T0 + 31 * 24 * HOUR}`)).status,
    ).toBe(200);
  });

  it("refuses a backwards range, an unknown bucket, too many buckets and a bad time", async () => {
    await expectFieldError(await a.api(`/observability/summary?from=${T0}&to=${T0}`), "to");
    await expectFieldError(await a.api(`/observability/summary?${RANGE}&bucket=2m`), "bucket");
    await expectFieldError(
      await a.api(`/observability/summary?from=${T0}&to=${T0 + 30 * 24 * HOUR}&bucket=1m`),
      "bucket",
    );
    await expectFieldError(await a.api("/observability/summary?from=yesterday"), "from");
    await expectFieldError(await a.api(`/observability/summary?${RANGE}&userId=`), "userId");
  });
});

describe("the filters' choices", () => {
  it("lists people, agents, models, proxies and gateways seen in the range, only ours", async () => {
    const o = await a.json<ObservabilityFilterOptions>(`/observability/filters?${RANGE}`);
    expect(o.people.map((p) => p.email).sort()).toEqual(["ada@acme.test", "obs-member@acme.test"]);
    expect(o.agents).toEqual(["code", "desktop"]);
    expect(o.models).toEqual([HAIKU, SONNET]);
    expect(o.proxies).toEqual(
      expect.arrayContaining([
        { id: proxyA, name: "Main" },
        { id: PROXY_B, name: null },
      ]),
    );
    expect(o.proxies).toHaveLength(2);
    expect(o.gateways.map((g) => [g.id, g.slug])).toEqual([
      [GATEWAY_B, "search"],
      [GATEWAY_A, "tools"],
    ]);
    expect(JSON.stringify(o)).not.toContain("elsewhere");
    const before = await a.json<ObservabilityFilterOptions>(
      `/observability/filters?from=${T0 - HOUR}&to=${T0}`,
    );
    expect(before).toEqual({ people: [], agents: [], models: [], proxies: [], gateways: [] });
  });
});

describe("a request's trace", () => {
  it("holds its conversation's LLM requests and tool calls in time order, only ours", async () => {
    const d = await detail("req_conv_2");
    expect(d.request).toMatchObject({ id: "req_conv_2", conversationId: CONV, overheadMs: 12 });
    expect([d.trace.by, d.trace.key]).toEqual(["conversation", CONV]);
    expect(d.trace.items.map((i) => [i.kind, i.id])).toEqual([
      ["llm_request", "req_conv_1"],
      ["tool_call", "call_conv_1"],
      ["llm_request", "req_conv_2"],
      ["tool_call", "call_conv_2"],
      ["llm_request", "req_conv_3"],
    ]);
    expect(d.trace.truncated).toBe(false);
    const [first, tool, , failed] = d.trace.items;
    expect(first).toMatchObject({
      startedAt: T0 + 10 * MIN,
      durationMs: 1500,
      ttfbMs: 400,
      outcome: "ok",
      model: HAIKU,
      // 10 input + 2 cache reads (the fixture's), and its output.
      inputTokens: 12,
      outputTokens: 5,
      costMicroUsd: 7,
    });
    expect(tool).toMatchObject({ tool: "files__read_file", durationMs: 100, outcome: "ok" });
    expect(failed).toMatchObject({ tool: "files__write_file", outcome: "tool_error" });
  });

  it("joins by trace id when there is no conversation, and is the request alone otherwise", async () => {
    const d = await detail("req_trace_2");
    expect([d.trace.by, d.trace.key]).toEqual(["trace", TRACE]);
    expect(d.trace.items.map((i) => i.id)).toEqual(["req_trace_1", "call_trace", "req_trace_2"]);
    const alone = await detail("req_alone");
    expect([alone.trace.by, alone.trace.key]).toEqual(["request", null]);
    expect(alone.trace.items).toEqual([
      expect.objectContaining({ kind: "llm_request", id: "req_alone", ttfbMs: 70, overheadMs: 4 }),
    ]);
  });

  it("shows the captured prompt and completion when kept, else none", async () => {
    const kept = await detail("req_conv_2");
    expect(kept.payload).toEqual({
      request: JSON.stringify({ messages: [{ role: "user", content: "Read the report" }] }),
      response: JSON.stringify({ content: [{ type: "text", text: "The report says hello" }] }),
    });
    expect(kept.captureContent).toBe(false);
    const none = await detail("req_conv_1");
    expect(none.payload).toBeNull();
  });

  it("is 404 for another organisation's request and for one that does not exist", async () => {
    await expectApiError(await a.api("/observability/requests/req_elsewhere_conv"), 404);
    await expectApiError(await a.api("/observability/requests/req_nowhere"), 404);
    await expectApiError(await a.api(`/observability/requests/${"x".repeat(100)}`), 404);
  });
});

// Traces of a Claude Desktop-like session, end to end: the official Anthropic SDK asks the model
// through the running gateway (`npm start`) and gets a tool_use, the official MCP SDK client
// calls that tool through the MCP gateway, and the next LLM request carries the tool_result.
// A real OTLP receiver on loopback, decoding with the official protobuf definitions, must get
// the spans DESIGN.md names, with one conversation id across all three, the parent/child links
// the client's traceparent sets, and no secret anywhere — in OTLP/JSON and in OTLP/protobuf.
import Anthropic from "@anthropic-ai/sdk";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@opentelemetry/semantic-conventions";
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_SESSION_ID,
} from "@opentelemetry/semantic-conventions/incubating";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { McpServerSaved } from "../../shared/api-types";
import { FAKE_PROVIDER_KEY } from "../fakes/anthropic-upstream";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../fakes/otlp-receiver";
import { type Api, adminApi, providerAndProxy } from "./admin-api";
import { callbackServer, MemoryOAuthProvider } from "./mcp-oauth-client";
import { connectSdkClient } from "./mcp-sdk-connect";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeAnthropic = inject("e2eFakeAnthropicUrl");
const fakeMcp = inject("e2eFakeMcpUrl");
const SLUG = "otlp-tools";
const MODEL = "claude-sonnet-4-5-20250929";
const COLLECTOR_SECRET = "otlp-collector-token-do-not-leak";

let api: Api;
let adminId: string;
let receiver: OtlpReceiver;
let callback: Awaited<ReturnType<typeof callbackServer>>;
let provider: MemoryOAuthProvider;
let profile: {
  inference: {
    baseUrl: string;
    customHeaders: Record<string, string>;
    credential: { apiKey: string };
  };
};

beforeAll(async () => {
  ({ api, userId: adminId } = await adminApi(gateway));
  receiver = await startOtlpReceiver();
  callback = await callbackServer();
  provider = new MemoryOAuthProvider(callback.url);
  const { proxy } = await providerAndProxy(api, fakeAnthropic, "OTLP");
  ({ profile } = await api<{ profile: typeof profile }>("/connection-setups/claude-desktop", {
    proxyId: proxy.id,
  }));
  const server = await api<McpServerSaved>("/mcp-servers", {
    name: "files",
    url: `${fakeMcp}/t/otlp-files/mcp`,
    auth: { kind: "none" },
  });
  // Limited to a team of the admin alone, so other journeys sharing this gateway never see it.
  const team = await api<{ id: string }>("/teams", { name: "OTLP e2e" });
  await api(`/teams/${team.id}/members`, { userId: adminId });
  await api("/mcp-gateways", {
    slug: SLUG,
    name: "OTLP tools",
    serverIds: [server.id],
    teamIds: [team.id],
  });
}, HOOK_MS);

afterAll(async () => {
  await api?.("/telemetry/exporter", undefined, "DELETE").catch(() => undefined);
  await callback?.close();
  await receiver?.close();
}, HOOK_MS);

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The session's LLM requests and tool call, as Claude Desktop would send them. */
async function session(conversation: string, traceparent: string, mcp: Client) {
  const headers = { "x-archestra-session-id": conversation, traceparent };
  const client = new Anthropic({
    baseURL: profile.inference.baseUrl,
    apiKey: profile.inference.credential.apiKey,
    defaultHeaders: { ...profile.inference.customHeaders, ...headers },
    maxRetries: 0,
  });
  const tools = [
    {
      name: "files__echo",
      description: "Echo text",
      input_schema: { type: "object" as const, properties: { text: { type: "string" } } },
    },
  ];
  const question = { role: "user" as const, content: "Echo something [fake:tool_use]" };
  const first = await client.messages.create({
    model: MODEL,
    max_tokens: 64,
    tools,
    messages: [question],
  });
  const toolUse = first.content.find((b) => b.type === "tool_use");
  if (toolUse?.type !== "tool_use") throw new Error("the model did not ask for the tool");
  const result = await mcp.callTool({ name: toolUse.name, arguments: { text: "from the model" } });
  const resultText = (result.content as { type: string; text?: string }[])
    .map((c) => c.text ?? "")
    .join("");
  await client.messages.create({
    model: MODEL,
    max_tokens: 64,
    tools,
    messages: [
      question,
      { role: "assistant", content: first.content },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: toolUse.id, content: resultText }],
      },
    ],
  });
  return { toolUseId: toolUse.id };
}

function spansOf(tenant: string, conversation: string, traceId: string): ReceivedSpan[] {
  const all = receiver.received(tenant).traces.flatMap((t) => t.spans);
  const server = all.filter(
    (s) => s.traceId === traceId && s.attributes[ATTR_GEN_AI_CONVERSATION_ID] === conversation,
  );
  const serverIds = new Set(server.map((s) => s.spanId));
  return all.filter((s) => serverIds.has(s.spanId) || serverIds.has(s.parentSpanId ?? ""));
}

const SERVER = 2;
const CLIENT = 3;

describe.each(["http/json", "http/protobuf"] as const)("spans over %s", (protocol) => {
  it("exports the session's LLM and MCP spans, linked, one conversation, no secrets", {
    timeout: TEST_MS,
  }, async () => {
    const tenant = `e2e-${protocol.replace("/", "-")}`;
    await api(
      "/telemetry/exporter",
      {
        protocol,
        endpoint: receiver.endpoint(tenant),
        headers: `Authorization: Bearer ${COLLECTOR_SECRET}`,
        samplingRatio: 1,
      },
      "PUT",
    );

    const traceId = hex(16);
    const clientSpan = hex(8);
    const traceparent = `00-${traceId}-${clientSpan}-01`;
    const conversation = `conv-${hex(6)}`;
    const mcp = await connectSdkClient(gateway, SLUG, provider, callback, {
      headers: { "x-archestra-session-id": conversation, traceparent },
    });
    await session(conversation, traceparent, mcp);
    await mcp.close();

    // Two LLM requests and one tool call, each a SERVER span and a CLIENT span.
    const spans = await vi.waitFor(
      () => {
        const found = spansOf(tenant, conversation, traceId);
        if (found.length < 6) throw new Error(`${found.length} of 6 spans so far`);
        return found;
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    expect(spans).toHaveLength(6);
    const servers = spans.filter((s) => s.kind === SERVER);
    const clients = spans.filter((s) => s.kind === CLIENT);
    expect(servers).toHaveLength(3);
    expect(clients).toHaveLength(3);

    // Every SERVER span is a child of the client's span; every CLIENT span of its SERVER span.
    for (const s of servers) {
      expect(s.parentSpanId).toBe(clientSpan);
      expect(s.traceId).toBe(traceId);
      expect(s.attributes[ATTR_GEN_AI_CONVERSATION_ID]).toBe(conversation);
    }
    for (const c of clients) {
      expect(servers.map((s) => s.spanId)).toContain(c.parentSpanId);
      expect(c.traceId).toBe(traceId);
    }

    const chats = clients.filter((c) => c.name === `chat ${MODEL}`);
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      const a = chat.attributes;
      expect(a[ATTR_GEN_AI_OPERATION_NAME]).toBe("chat");
      expect(a[ATTR_GEN_AI_PROVIDER_NAME]).toBe("anthropic");
      expect(a[ATTR_GEN_AI_REQUEST_MODEL]).toBe(MODEL);
      expect(a[ATTR_GEN_AI_REQUEST_MAX_TOKENS]).toBe(64);
      expect(a[ATTR_GEN_AI_RESPONSE_MODEL]).toBe(MODEL);
      expect(a[ATTR_GEN_AI_RESPONSE_ID]).toMatch(/^msg_/);
      expect(a[ATTR_GEN_AI_CONVERSATION_ID]).toBe(conversation);
      expect(a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
      expect(a[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
      expect(a[ATTR_SERVER_ADDRESS]).toBe("127.0.0.1");
      expect(a[ATTR_SERVER_PORT]).toBe(Number(new URL(fakeAnthropic).port));
      expect(a["gatehouse.user.id"]).toBe(adminId);
      expect(a["gatehouse.virtual_key.id"]).toEqual(expect.any(String));
      expect(a["gatehouse.billing.mode"]).toBe("metered");
      expect(a["gatehouse.cost.usd"]).toBeGreaterThan(0);
      expect(a["gatehouse.limit.decision"]).toBe("none");
      expect(a["gatehouse.client_gone"]).toBe(false);
      expect(a[ATTR_ERROR_TYPE]).toBeUndefined();
      expect(chat.status.code).not.toBe(2);
    }
    const finishes = chats.map((c) => c.attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]);
    expect(finishes).toContainEqual(["tool_use"]);
    for (const s of servers.filter((s) => s.name === "POST /v1/messages")) {
      expect(s.attributes["gatehouse.overhead_ms"]).toEqual(expect.any(Number));
    }
    expect(servers.filter((s) => s.name === "POST /v1/messages")).toHaveLength(2);

    const toolServer = servers.find((s) => s.name === "tools/call files__echo");
    expect(toolServer, servers.map((s) => s.name).join(", ")).toBeDefined();
    const t = toolServer?.attributes ?? {};
    expect(t[ATTR_MCP_METHOD_NAME]).toBe("tools/call");
    expect(t[ATTR_GEN_AI_OPERATION_NAME]).toBe("execute_tool");
    expect(t[ATTR_GEN_AI_TOOL_NAME]).toBe("files__echo");
    expect(t[ATTR_MCP_SESSION_ID]).toEqual(expect.any(String));
    expect(t[ATTR_MCP_PROTOCOL_VERSION]).toEqual(expect.any(String));
    expect(t[ATTR_JSONRPC_REQUEST_ID]).toEqual(expect.any(String));
    expect(t["gatehouse.gateway.slug"]).toBe(SLUG);
    expect(t["gatehouse.mcp.server"]).toBe("files");
    expect(t["gatehouse.user.id"]).toBe(adminId);
    expect(t["gatehouse.oauth.client.id"]).toBe(provider.client?.client_id);
    const toolClient = clients.find((c) => c.parentSpanId === toolServer?.spanId);
    expect(toolClient?.name).toBe("tools/call echo");

    // No secret anywhere in what reached the collector: keys, tokens, the collector's own header.
    const requests = receiver.received(tenant).requests;
    const contentType = protocol === "http/json" ? "application/json" : "application/x-protobuf";
    expect(requests.map((r) => r.contentType.split(";")[0])).toEqual(
      requests.map(() => contentType),
    );
    expect(requests.every((r) => r.headers.authorization === `Bearer ${COLLECTOR_SECRET}`)).toBe(
      true,
    );
    const bodies = requests
      .map((r) => Buffer.from(r.bodyBase64, "base64").toString("latin1"))
      .join("\n");
    const secrets = [
      FAKE_PROVIDER_KEY,
      profile.inference.credential.apiKey,
      ...Object.values(profile.inference.customHeaders).filter((v) => v.startsWith("arch_")),
      provider.stored?.access_token ?? "no-access-token",
      provider.stored?.refresh_token ?? "no-refresh-token",
      COLLECTOR_SECRET,
    ];
    for (const secret of secrets)
      expect(bodies.includes(secret), "a secret in the payload").toBe(false);
    expect(requests.some((r) => r.path.endsWith("/v1/metrics"))).toBe(true);
  });
});

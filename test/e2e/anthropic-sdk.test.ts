// The official Anthropic SDK against a running gateway (`npm start`), configured only from the
// Claude Desktop profile the Connect flow hands out, with a fake Anthropic on loopback.
import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { ADMIN, type Api, adminApi, providerAndProxy } from "./admin-api";
import { HOOK_MS, TEST_MS, WAIT_MS } from "./waits";

const gateway = inject("gatewayUrl");
const fakeUrl = inject("e2eFakeAnthropicUrl");

interface LogRow {
  endpoint: string;
  userId: string;
  userEmail: string;
  model: string | null;
  streamed: boolean;
  status: number;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  costMicroUsd: number | null;
  agentId: string | null;
}

let api: Api;
let userId: string;
let proxyId: string;
let profile: {
  inference: {
    baseUrl: string;
    customHeaders: Record<string, string>;
    credential: { apiKey: string };
  };
};
let client: Anthropic;

beforeAll(async () => {
  ({ api, userId } = await adminApi(gateway));
  const { proxy } = await providerAndProxy(api, fakeUrl, "SDK");
  proxyId = proxy.id;
  ({ profile } = await api<{ profile: typeof profile }>("/connection-setups/claude-desktop", {
    proxyId: proxy.id,
  }));
  client = new Anthropic({
    baseURL: profile.inference.baseUrl,
    apiKey: profile.inference.credential.apiKey,
    defaultHeaders: profile.inference.customHeaders,
    maxRetries: 0,
  });
}, HOOK_MS);

async function logsUntil(count: number): Promise<LogRow[]> {
  return vi.waitFor(
    async () => {
      const { data } = await api<{ data: LogRow[] }>(
        `/logs/llm?userId=${userId}&proxyId=${proxyId}`,
      );
      if (data.length < count) throw new Error(`${data.length} of ${count} rows so far`);
      return data;
    },
    { timeout: WAIT_MS, interval: 250 },
  );
}

describe("Anthropic SDK through the gateway", { timeout: TEST_MS }, () => {
  it("lists models, completes one token streamed and not, counts tokens, and logs each", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("claude-sonnet-4-5-20250929");

    const message = await client.messages.create({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 1,
      messages: [{ role: "user", content: "Say hi [fake:cache]" }],
    });
    expect(message.usage.cache_read_input_tokens).toBe(200);

    const stream = client.messages.stream({
      model: "claude-haiku-4-5-20251001",
      max_tokens: 1,
      messages: [{ role: "user", content: "Say hi" }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text" });

    const counted = await client.messages.countTokens({
      model: "claude-haiku-4-5-20251001",
      messages: [{ role: "user", content: "How many tokens?" }],
    });
    expect(counted.input_tokens).toBeGreaterThan(0);

    const rows = await logsUntil(4);
    for (const row of rows) {
      expect(row).toMatchObject({ userId, userEmail: ADMIN.email, status: 200 });
      expect(row.agentId).toBe("anthropic_claude_desktop");
    }
    const byEndpoint = (e: string, streamed?: boolean) =>
      rows.find((r) => r.endpoint === e && (streamed === undefined || r.streamed === streamed));
    expect(byEndpoint("models")).toBeDefined();
    expect(byEndpoint("count_tokens")).toMatchObject({ model: "claude-haiku-4-5-20251001" });
    const cached = byEndpoint("messages", false);
    expect(cached).toMatchObject({
      model: "claude-sonnet-4-5-20250929",
      inputTokens: 12,
      outputTokens: 1, // max_tokens: 1
      cacheWrite5mTokens: 60,
      cacheWrite1hTokens: 40,
      cacheReadTokens: 200,
    });
    // Sonnet 4.5 list prices in micro-dollars per million tokens, rounded up once.
    expect(cached?.costMicroUsd).toBe(
      Math.ceil((12 * 3e6 + 1 * 15e6 + 60 * 3.75e6 + 40 * 6e6 + 200 * 0.3e6) / 1e6),
    );
    const streamed = byEndpoint("messages", true);
    expect(streamed).toMatchObject({ model: "claude-haiku-4-5-20251001", inputTokens: 12 });
    // Haiku 4.5: $1 in, $5 out per MTok.
    expect(streamed?.costMicroUsd).toBe(
      Math.ceil((12 * 1e6 + (streamed?.outputTokens ?? 0) * 5e6) / 1e6),
    );
  });

  it("surfaces a budget refusal as a clear 402 the SDK does not retry", async () => {
    const limit = await api<{ id: string }>("/limits", {
      name: "Tiny budget",
      scope: "user",
      scopeId: userId,
      metric: "cost",
      window: "month",
      amountUsd: 0.000001,
    });
    // The SDK's default retry policy, as Claude Desktop would use it.
    const retrying = new Anthropic({
      baseURL: profile.inference.baseUrl,
      apiKey: profile.inference.credential.apiKey,
      defaultHeaders: profile.inference.customHeaders,
    });
    const refusal = await retrying.messages
      .create({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 16,
        messages: [{ role: "user", content: "one more" }],
      })
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(Anthropic.APIError);
    const apiError = refusal as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(402);
    expect(apiError.message).toMatch(/Gatehouse blocked this request \(not the provider\)/);
    const rows = await logsUntil(5);
    expect(rows.filter((r) => r.status === 402)).toHaveLength(1);
    await api(`/limits/${limit.id}`, undefined, "DELETE");
  });

  it("stops a revoked key on the very next request", async () => {
    const { data } = await api<{
      data: { id: string; kind: string; name: string; connectionProxyId: string | null }[];
    }>("/virtual-keys");
    const standard = data.find((k) => k.kind === "standard" && k.connectionProxyId === proxyId);
    expect(standard?.name).toBe(`Connection setup — ${ADMIN.email}`);
    await api(`/virtual-keys/${standard?.id}`, undefined, "DELETE");
    await expect(
      client.messages.create({
        model: "claude-haiku-4-5-20251001",
        max_tokens: 1,
        messages: [{ role: "user", content: "again" }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

// The proxy used as Claude Desktop uses it: the profile's base URL, API key and headers.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Admin,
  admin,
  call,
  FAKE_PROVIDER_KEY,
  fakeRequests,
  profileHeaders,
  proxyWithKey,
  resetFake,
} from "./helpers";
import { loggedRow } from "./logs";

let a: Admin;
let proxyId: string;
let headers: Record<string, string>;
let standardKey: string;
let passthroughKey: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  ({ headers, standardKey, passthroughKey } = await profileHeaders(a, proxyId));
});

const ask = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 16,
    messages: [{ role: "user", content: text }],
    ...extra,
  });

describe("messages", () => {
  it("swaps the standard key for the real provider key, never the other way", async () => {
    await resetFake();
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages?beta=true`, {
      method: "POST",
      headers: { ...headers, "anthropic-beta": "fake-beta-2025" },
      body: ask("hi"),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ type: "message", content: [{ text: "Hello" }] });
    expect(res.headers.get("request-id")).toMatch(/^req_fake_/);
    const [seen] = await fakeRequests();
    expect(seen?.path).toBe("/v1/messages?beta=true");
    expect(seen?.headers["x-api-key"]).toBe(FAKE_PROVIDER_KEY);
    expect(seen?.headers["anthropic-beta"]).toBe("fake-beta-2025");
    expect(seen?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(JSON.stringify(seen)).not.toContain("arch_");
    expect(seen?.headers["x-archestra-agent-id"]).toBeUndefined();
    expect(seen?.body).toBe(ask("hi"));
    expect(text).not.toContain(FAKE_PROVIDER_KEY);
    expect(JSON.stringify([...res.headers])).not.toContain(FAKE_PROVIDER_KEY);
  });

  it("passes a stream through byte for byte, pings and unknown events included", async () => {
    const body = ask("[fake:unknown-event]", { stream: true });
    const viaGateway = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body,
    });
    expect(viaGateway.headers.get("content-type")).toContain("text/event-stream");
    const direct = await fetch(`${env.FAKE_ANTHROPIC_URL}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": FAKE_PROVIDER_KEY, "anthropic-version": "2023-06-01" },
      body,
    });
    const normalise = (s: string) => s.replace(/msg_fake_\w+/g, "msg_ID");
    const gatewayText = await viaGateway.text();
    expect(normalise(gatewayText)).toBe(normalise(await direct.text()));
    expect(gatewayText).toContain("event: ping");
    expect(gatewayText).toContain("event: future_event");
  });

  it("serves the default proxy without an id", async () => {
    const res = await call("/v1/anthropic/v1/messages", {
      method: "POST",
      headers,
      body: ask("hi"),
    });
    expect(res.status).toBe(200);
  });

  it("logs each request against the passthrough key's owner, with tokens and cost", async () => {
    await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body: ask("[fake:cache]", { stream: true }),
    }).then((r) => r.text());
    const { row: cached, rows } = await loggedRow(
      a,
      `user:${a.userId}`,
      (r) => r.cacheReadTokens > 0,
    );
    expect(cached).toMatchObject({
      userId: a.userId,
      userEmail: "ada@acme.test",
      proxyId,
      agentId: "anthropic_claude_desktop",
      model: "claude-sonnet-4-5-20250929",
      endpoint: "messages",
      streamed: true,
      status: 200,
      inputTokens: 12,
      outputTokens: 5,
      cacheWrite5mTokens: 60,
      cacheWrite1hTokens: 40,
      cacheReadTokens: 200,
      credential: "virtual_key",
      billingMode: "metered",
      clientGone: false,
    });
    // Sonnet 4.5: $3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read per MTok.
    const expected = Math.ceil(
      (12 * 3_000_000 + 5 * 15_000_000 + 60 * 3_750_000 + 40 * 6_000_000 + 200 * 300_000) /
        1_000_000,
    );
    expect(cached?.costMicroUsd).toBe(expected);
    expect(cached?.passthroughKeyId).toMatch(/^vk_/);
    expect(cached?.virtualKeyId).toMatch(/^vk_/);
    expect(cached?.ttfbMs).not.toBeNull();
    expect(JSON.stringify(rows)).not.toContain(FAKE_PROVIDER_KEY);
    expect(JSON.stringify(rows)).not.toContain(standardKey);
    expect(JSON.stringify(rows)).not.toContain(passthroughKey);
  });
});

describe("unknown models", () => {
  it("are logged with their tokens and flagged unpriced, never free", async () => {
    await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body: ask("hi", { model: "claude-imaginary-9" }),
    }).then((r) => r.text());
    const { row } = await loggedRow(a, `user:${a.userId}`, (r) => r.model === "claude-imaginary-9");
    expect(row).toMatchObject({
      inputTokens: 12,
      outputTokens: 1,
      costMicroUsd: null,
      unpriced: true,
    });
  });
});

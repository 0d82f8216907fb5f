import Anthropic from "@anthropic-ai/sdk";
import { Stream } from "@anthropic-ai/sdk/core/streaming";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  FAKE_PROVIDER_KEY,
  FAKE_SUBSCRIPTION_TOKEN,
  type FakeAnthropic,
  type RecordedRequest,
  scenarioErrorBody,
  startFakeAnthropic,
} from "./anthropic-upstream";

const MODEL = "claude-haiku-4-5-20251001";

let fake: FakeAnthropic;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  // No retries: the error scenarios must surface on the first attempt.
  client = new Anthropic({ apiKey: FAKE_PROVIDER_KEY, baseURL: fake.url, maxRetries: 0 });
});

afterAll(() => fake.close());

beforeEach(() => fake.reset());

function params(text: string, maxTokens = 64): MessageCreateParamsNonStreaming {
  return { model: MODEL, max_tokens: maxTokens, messages: [{ role: "user", content: text }] };
}

async function rawEvents(text: string): Promise<{ response: Response; events: string[] }> {
  const response = await client.messages.create({ ...params(text), stream: true }).asResponse();
  const events: string[] = [];
  for await (const sse of Stream.rawEvents(response)) events.push(sse.event ?? "");
  return { response, events };
}

/** Posts straight to the fake, bypassing the SDK, to see exact status, headers and bytes. */
function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": FAKE_PROVIDER_KEY,
      "anthropic-version": "2023-06-01",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to fail");
}

async function latestRequest(): Promise<RecordedRequest> {
  return vi.waitFor(
    () => {
      const last = fake.requests().at(-1);
      if (!last) throw new Error("nothing recorded yet");
      return last;
    },
    { timeout: 1000, interval: 5 },
  );
}

describe("messages", () => {
  it("answers a plain request with the Anthropic message shape", async () => {
    const message = await client.messages.create(params("hi"));
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: MODEL,
      content: [{ type: "text", text: "Hello" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    expect(message.id).toMatch(/^msg_fake_\d+$/);
    expect(message._request_id).toMatch(/^req_fake_\d+$/);
  });

  it("streams the real event sequence, ping included", async () => {
    const { response, events } = await rawEvents("hi");
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(events).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("streams usage the SDK accumulates correctly", async () => {
    const final = await client.messages.stream(params("hi")).finalMessage();
    expect(final.content).toMatchObject([{ type: "text", text: "Hello" }]);
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 3 });
    expect(final.stop_reason).toBe("end_turn");
  });

  it("stops at max_tokens", async () => {
    const final = await client.messages.stream(params("[fake:many:10]", 4)).finalMessage();
    expect(final.stop_reason).toBe("max_tokens");
    expect(final.usage.output_tokens).toBe(4);
  });

  it("reports cache usage in JSON and streams", async () => {
    const cacheUsage = {
      input_tokens: 12,
      output_tokens: 5,
      cache_creation_input_tokens: 100,
      cache_creation: { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 40 },
      cache_read_input_tokens: 200,
    };
    const message = await client.messages.create(params("[fake:cache]"));
    expect(message.usage).toEqual(cacheUsage);
    const streamed = await client.messages.stream(params("[fake:cache]")).finalMessage();
    expect(streamed.usage).toMatchObject(cacheUsage);
  });

  it("streams tool_use input as JSON fragments", async () => {
    const tools = [{ name: "lookup", input_schema: { type: "object" as const } }];
    const final = await client.messages
      .stream({ ...params("[fake:tool_use]"), tools })
      .finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content[0]).toMatchObject({
      type: "tool_use",
      name: "lookup",
      input: { location: "Paris", unit: "celsius" },
    });
  });

  it("forwards an unknown event in the middle of the stream", async () => {
    const { events } = await rawEvents("[fake:unknown-event]");
    expect(events.indexOf("future_event")).toBe(events.indexOf("content_block_delta") + 1);
    expect(events.at(-1)).toBe("message_stop");
  });

  it("reports an overloaded error mid-stream", async () => {
    const stream = await client.messages.create({
      ...params("[fake:error-midstream]"),
      stream: true,
    });
    const seen: string[] = [];
    const drain = async () => {
      for await (const event of stream) seen.push(event.type);
    };
    await expect(drain()).rejects.toMatchObject({ error: { error: { type: "overloaded_error" } } });
    expect(seen.filter((type) => type === "content_block_delta")).toHaveLength(2);
  });

  it("fails the stream when the connection is cut", async () => {
    const stream = await client.messages.create({ ...params("[fake:cut]"), stream: true });
    const drain = async () => {
      for await (const _ of stream);
    };
    await expect(drain()).rejects.toThrow();
    // The fake closed the connection itself, so this is not a client abort.
    expect((await latestRequest()).aborted).toBe(false);
  });

  it("spaces slow stream events with timers", async () => {
    const stream = await client.messages.create({ ...params("[fake:slow]"), stream: true });
    const arrivals: number[] = [];
    for await (const _ of stream) arrivals.push(performance.now());
    const gaps = arrivals.slice(1).map((time, i) => time - (arrivals[i] ?? time));
    expect(arrivals).toHaveLength(8); // Nine events, the ping is swallowed by the SDK.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...gaps)).toBeLessThan(1000);
  });

  it("rejects bodies the real API would reject", async () => {
    const response = await post("/v1/messages", { model: MODEL, messages: [] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
    const unknown = await post("/v1/messages", params("[fake:nonsense]"));
    expect(unknown.status).toBe(400);
  });
});

describe("status scenarios", () => {
  it("passes a 529 with a stable body", async () => {
    const failure = await rejection(client.messages.create(params("[fake:status:529]")));
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(failure).toMatchObject({ status: 529, error: JSON.parse(scenarioErrorBody(529)) });
    const first = await (await post("/v1/messages", params("[fake:status:529]"))).text();
    const second = await (await post("/v1/messages", params("[fake:status:529]"))).text();
    expect(first).toBe(scenarioErrorBody(529));
    expect(second).toBe(first);
  });

  it("adds retry-after to a 429", async () => {
    const response = await post("/v1/messages", { ...params("[fake:status:429]"), stream: true });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toMatchObject({ error: { type: "rate_limit_error" } });
  });
});

describe("auth", () => {
  it("rejects an unknown key with an AuthenticationError", async () => {
    const stranger = new Anthropic({ apiKey: "sk-ant-nope", baseURL: fake.url, maxRetries: 0 });
    const failure = await rejection(stranger.messages.create(params("hi")));
    expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(failure).toMatchObject({
      error: {
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
        request_id: expect.stringMatching(/^req_fake_\d+$/),
      },
    });
  });

  it("accepts the subscription token as a bearer credential", async () => {
    const subscriber = new Anthropic({
      apiKey: null,
      authToken: FAKE_SUBSCRIPTION_TOKEN,
      baseURL: fake.url,
      maxRetries: 0,
    });
    const message = await subscriber.messages.create(params("hi"));
    expect(message.content[0]).toMatchObject({ text: "Hello" });
    expect((await latestRequest()).headers.authorization).toBe(`Bearer ${FAKE_SUBSCRIPTION_TOKEN}`);
  });

  it("requires anthropic-version", async () => {
    const response = await fetch(`${fake.url}/v1/models`, {
      headers: { "x-api-key": FAKE_PROVIDER_KEY },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });
});

describe("count_tokens and models", () => {
  it("counts tokens deterministically", async () => {
    const messages = [{ role: "user" as const, content: "count me, please" }];
    const result = await client.messages.countTokens({ model: MODEL, messages });
    expect(result.input_tokens).toBe(Math.ceil(JSON.stringify(messages).length / 4));
  });

  it("pages through the models newest first", async () => {
    const firstPage = await client.models.list({ limit: 2 });
    expect(firstPage.data.map((model) => model.id)).toEqual([
      "claude-opus-4-5-20251101",
      "claude-haiku-4-5-20251001",
    ]);
    expect(firstPage.has_more).toBe(true);

    const all: string[] = [];
    for await (const model of client.models.list({ limit: 4 })) all.push(model.id);
    expect(all).toHaveLength(6);
    expect(all.at(-1)).toBe("claude-3-5-haiku-20241022");

    const before = await client.models.list({ before_id: "claude-opus-4-1-20250805", limit: 2 });
    expect(before.data.map((model) => model.display_name)).toEqual([
      "Claude Haiku 4.5",
      "Claude Sonnet 4.5",
    ]);
    expect(before.has_more).toBe(true);
  });
});

describe("recording and control routes", () => {
  it("records headers, body and query, and serves them over HTTP", async () => {
    const response = await post("/v1/messages?beta=true", params("hi"), {
      "anthropic-beta": "oauth-2025-04-20",
    });
    expect(response.status).toBe(200);
    const listed = (await (await fetch(`${fake.url}/_fake/requests`)).json()) as RecordedRequest[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      method: "POST",
      path: "/v1/messages?beta=true",
      headers: { "x-api-key": FAKE_PROVIDER_KEY, "anthropic-beta": "oauth-2025-04-20" },
      aborted: false,
    });
    expect(JSON.parse(listed[0]?.body ?? "")).toEqual(params("hi"));

    expect((await fetch(`${fake.url}/_fake/requests`, { method: "DELETE" })).status).toBe(204);
    expect(fake.requests()).toEqual([]);
  });

  it("records unknown routes and answers 404", async () => {
    const response = await fetch(`${fake.url}/v1/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: "not_found_error" } });
    expect(fake.requests().map((request) => request.path)).toEqual(["/v1/nowhere"]);
  });

  it("flags a hanging request the client gave up on", async () => {
    const controller = new AbortController();
    const pending = client.messages.create(params("[fake:hang]"), { signal: controller.signal });
    await latestRequest();
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(fake.requests()[0]?.aborted).toBe(true), { timeout: 1000 });
  });

  it("closes promptly while a stream hangs", async () => {
    const other = await startFakeAnthropic();
    const response = await fetch(`${other.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": FAKE_PROVIDER_KEY, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...params("[fake:hang-stream]"), stream: true }),
    });
    const reader = response.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    expect(first).toMatch(/^event: message_start\n/);
    await other.close();
    await expect(reader?.read()).rejects.toThrow();
    expect(other.requests()[0]?.aborted).toBe(false);
  });
});

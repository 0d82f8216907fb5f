import { describe, expect, it, vi } from "vitest";
import { type SseEvent, SseParser } from "./sse";
import {
  StreamUsageMeter,
  usageFromApi,
  usageFromMessageEnds,
  usageFromMessageJson,
  ZERO_USAGE,
} from "./usage";

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

function meterOver(stream: string): StreamUsageMeter {
  const parser = new SseParser();
  const meter = new StreamUsageMeter();
  const feed = (events: SseEvent[]) => {
    for (const e of events) meter.observe(e);
  };
  feed(parser.push(new TextEncoder().encode(stream)));
  feed(parser.end());
  return meter;
}

const MESSAGE_START = {
  type: "message_start",
  message: {
    id: "msg_01XFDUDYJgAACzvnptvVoYEL",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: 25,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 12000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      output_tokens: 1,
      service_tier: "standard",
    },
  },
};

// Shaped like a real Messages stream, plus an event type this code has never heard of.
const REALISTIC_STREAM =
  sse("message_start", MESSAGE_START) +
  sse("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "text", text: "" },
  }) +
  sse("ping", { type: "ping" }) +
  sse("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: "Hello" },
  }) +
  sse("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: "!" },
  }) +
  sse("brand_new_event", { type: "brand_new_event", usage: { output_tokens: 999_999 } }) +
  sse("content_block_stop", { type: "content_block_stop", index: 0 }) +
  sse("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: {
      input_tokens: 25,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 12000,
      output_tokens: 15,
    },
  }) +
  sse("message_stop", { type: "message_stop" });

describe("usageFromApi", () => {
  it("reads every field, with the cache-write breakdown", () => {
    expect(usageFromApi(MESSAGE_START.message.usage)).toEqual({
      inputTokens: 25,
      outputTokens: 1,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 2000,
      cacheReadTokens: 12000,
    });
  });

  it("counts all cache writes as 5m when the breakdown is absent", () => {
    expect(usageFromApi({ cache_creation_input_tokens: 700, output_tokens: 3 })).toEqual({
      outputTokens: 3,
      cacheWrite5mTokens: 700,
      cacheWrite1hTokens: 0,
    });
    expect(usageFromApi({ cache_creation_input_tokens: 700, cache_creation: null })).toEqual({
      cacheWrite5mTokens: 700,
      cacheWrite1hTokens: 0,
    });
  });

  it("fills a one-sided breakdown from the total", () => {
    expect(
      usageFromApi({
        cache_creation_input_tokens: 700,
        cache_creation: { ephemeral_1h_input_tokens: 200 },
      }),
    ).toEqual({ cacheWrite5mTokens: 500, cacheWrite1hTokens: 200 });
  });

  it("returns only fields that are non-negative integers", () => {
    expect(
      usageFromApi({
        input_tokens: -1,
        output_tokens: 1.5,
        cache_read_input_tokens: "10",
        cache_creation_input_tokens: null,
        cache_creation: { ephemeral_5m_input_tokens: Number.NaN, ephemeral_1h_input_tokens: 4 },
      }),
    ).toEqual({ cacheWrite1hTokens: 4 });
    expect(usageFromApi({ input_tokens: 0 })).toEqual({ inputTokens: 0 });
  });

  it.each([null, undefined, 42, "usage", [1, 2], true])("returns {} for %j", (value) => {
    expect(usageFromApi(value)).toEqual({});
  });
});

describe("StreamUsageMeter", () => {
  it("meters a realistic stream", () => {
    const meter = meterOver(REALISTIC_STREAM);
    expect(meter.usage).toEqual({
      inputTokens: 25,
      outputTokens: 15,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 2000,
      cacheReadTokens: 12000,
    });
    expect(meter.model).toBe("claude-sonnet-4-5-20250929");
    expect(meter.messageId).toBe("msg_01XFDUDYJgAACzvnptvVoYEL");
    expect(meter.stopReason).toBe("end_turn");
    expect(meter.sawMessageStop).toBe(true);
    expect(meter.errorType).toBeUndefined();
    expect(meter.eventCount).toBe(9);
  });

  it("skips content events without parsing their JSON", () => {
    const meter = new StreamUsageMeter();
    const parse = vi.spyOn(JSON, "parse");
    try {
      for (let i = 0; i < 100; i++) {
        meter.observe({ event: "content_block_delta", data: '{"type":"content_block_delta"}' });
        meter.observe({ event: "ping", data: '{"type":"ping"}' });
      }
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    expect(meter.eventCount).toBe(200);
  });

  it("reports nothing before any event", () => {
    const meter = new StreamUsageMeter();
    expect(meter.usage).toEqual(ZERO_USAGE);
    expect(meter.sawMessageStop).toBe(false);
    expect(meter.model).toBeUndefined();
    expect(meter.eventCount).toBe(0);
  });

  it("overwrites with each message_delta's cumulative counts instead of adding", () => {
    const meter = meterOver(
      sse("message_start", MESSAGE_START) +
        sse("message_delta", { type: "message_delta", delta: {}, usage: { output_tokens: 10 } }) +
        sse("message_delta", {
          type: "message_delta",
          delta: { stop_reason: "max_tokens" },
          usage: { output_tokens: 40, input_tokens: 30, cache_read_input_tokens: null },
        }),
    );
    expect(meter.usage).toEqual({
      inputTokens: 30,
      outputTokens: 40,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 2000,
      cacheReadTokens: 12000,
    });
    expect(meter.stopReason).toBe("max_tokens");
    expect(meter.sawMessageStop).toBe(false);
  });

  it("keeps the 1h share when a delta reports a changed cache-write total", () => {
    const meter = meterOver(
      sse("message_start", MESSAGE_START) +
        sse("message_delta", {
          type: "message_delta",
          delta: {},
          usage: { output_tokens: 5, cache_creation_input_tokens: 3500 },
        }),
    );
    expect(meter.usage.cacheWrite1hTokens).toBe(2000);
    expect(meter.usage.cacheWrite5mTokens).toBe(1500);

    const shrunk = meterOver(
      sse("message_start", MESSAGE_START) +
        sse("message_delta", {
          type: "message_delta",
          usage: { cache_creation_input_tokens: 500 },
        }),
    );
    expect(shrunk.usage.cacheWrite5mTokens).toBe(0);
    expect(shrunk.usage.cacheWrite1hTokens).toBe(500);
  });

  it("takes a delta's own breakdown when it has one", () => {
    const meter = meterOver(
      sse("message_start", MESSAGE_START) +
        sse("message_delta", {
          type: "message_delta",
          usage: {
            cache_creation_input_tokens: 10,
            cache_creation: { ephemeral_5m_input_tokens: 7, ephemeral_1h_input_tokens: 3 },
          },
        }),
    );
    expect(meter.usage.cacheWrite5mTokens).toBe(7);
    expect(meter.usage.cacheWrite1hTokens).toBe(3);
  });

  it("uses data.type when the event field is absent", () => {
    const stream = [
      MESSAGE_START,
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 8 } },
      { type: "message_stop" },
    ]
      .map((d) => `data: ${JSON.stringify(d)}\n\n`)
      .join("");
    const meter = meterOver(stream);
    expect(meter.usage.outputTokens).toBe(8);
    expect(meter.usage.inputTokens).toBe(25);
    expect(meter.stopReason).toBe("tool_use");
    expect(meter.sawMessageStop).toBe(true);
  });

  it("ignores malformed JSON and non-object data", () => {
    const meter = meterOver(
      sse("message_start", MESSAGE_START) +
        sse("message_delta", '{"type":"message_delta","usage":{"output_tokens":99') +
        sse("message_delta", "[1,2,3]") +
        sse("message_delta", "null") +
        sse("message_start", '{"type":"message_start","message":"nope"}') +
        sse("message_stop", "not json"),
    );
    expect(meter.usage).toEqual({
      inputTokens: 25,
      outputTokens: 1,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 2000,
      cacheReadTokens: 12000,
    });
    expect(meter.sawMessageStop).toBe(false);
    expect(meter.eventCount).toBe(6);
  });

  it("records an in-stream error event", () => {
    const meter = meterOver(
      sse("message_start", MESSAGE_START) +
        sse("error", {
          type: "error",
          error: { type: "overloaded_error", message: "Overloaded" },
        }),
    );
    expect(meter.errorType).toBe("overloaded_error");
    expect(meter.sawMessageStop).toBe(false);
    expect(meter.usage.inputTokens).toBe(25);
  });

  it("records an error event without a type as unknown", () => {
    expect(meterOver(sse("error", { type: "error" })).errorType).toBe("unknown");
  });

  it("does not let callers mutate its usage", () => {
    const meter = meterOver(sse("message_start", MESSAGE_START));
    meter.usage.inputTokens = 0;
    expect(meter.usage.inputTokens).toBe(25);
  });
});

describe("usageFromMessageJson", () => {
  it("reads a non-streaming message", () => {
    const body = JSON.stringify({
      ...MESSAGE_START.message,
      content: [{ type: "text", text: "Hi" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 12, output_tokens: 6, cache_creation_input_tokens: 40 },
    });
    expect(usageFromMessageJson(body)).toEqual({
      usage: {
        inputTokens: 12,
        outputTokens: 6,
        cacheWrite5mTokens: 40,
        cacheWrite1hTokens: 0,
        cacheReadTokens: 0,
      },
      model: "claude-sonnet-4-5-20250929",
      messageId: "msg_01XFDUDYJgAACzvnptvVoYEL",
      stopReason: "end_turn",
    });
  });

  it("reads a message without usage as zero usage", () => {
    expect(usageFromMessageJson('{"type":"message"}')).toEqual({ usage: ZERO_USAGE });
  });

  it.each([
    ['{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}'],
    ['{"type":"message"'],
    ["[]"],
    ["null"],
    [""],
    ['"message"'],
  ])("returns undefined for %s", (body) => {
    expect(usageFromMessageJson(body)).toBeUndefined();
  });
});

describe("usageFromMessageEnds", () => {
  // A long answer whose text itself mentions "usage" objects, as code often does.
  const text = `${"x".repeat(5000)} {"usage": {"input_tokens": 999}} "usage":{} ${"y".repeat(5000)}`;
  const message = JSON.stringify({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    usage: { input_tokens: 12, output_tokens: 3400, cache_read_input_tokens: 7 },
  });
  const head = message.slice(0, 2000);
  const tail = message.slice(-2000);

  it("reads usage from the tail and the model from the head", () => {
    expect(usageFromMessageEnds(head, tail)).toEqual({
      usage: { ...ZERO_USAGE, inputTokens: 12, outputTokens: 3400, cacheReadTokens: 7 },
      model: "claude-sonnet-4-5",
    });
  });

  it("agrees with reading the whole body", () => {
    expect(usageFromMessageEnds(head, tail)?.usage).toEqual(usageFromMessageJson(message)?.usage);
  });

  it("finds nothing in a body that is not a message, or whose tail holds no usage", () => {
    const error = JSON.stringify({ type: "error", error: { type: "api_error", message: "x" } });
    expect(usageFromMessageEnds(error, error)).toBeUndefined();
    expect(usageFromMessageEnds(head, '"stop_reason":"end_turn"}')).toBeUndefined();
    expect(usageFromMessageEnds(head, tail.slice(0, -2))).toBeUndefined();
  });
});

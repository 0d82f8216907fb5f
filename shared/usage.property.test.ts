// Properties of the stream usage meter: a valid Anthropic Messages stream is billed the same
// whatever its chunking, line endings or framing; malformed events never throw and never
// produce a token count that is not a non-negative integer.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunksOf, lineText, utf8 } from "../test/arbitraries";
import { type SseEvent, SseParser } from "./sse";
import { StreamUsageMeter, type Usage } from "./usage";

const tokens = fc.integer({ min: 0, max: 2_000_000 });

interface StartUsage {
  input: number;
  output: number;
  read: number;
  write5m: number;
  write1h: number;
  /** Only `cache_creation_input_tokens`, as older API versions send. */
  totalOnly: boolean;
}

/** A `message_delta` usage: cumulative, each field present or not. */
interface DeltaUsage {
  output: number;
  input?: number;
  read?: number;
  /** `cache_creation_input_tokens` without the 5m/1h breakdown, as deltas send it. */
  writeTotal?: number;
}

interface Scenario {
  id: string;
  model: string;
  start: StartUsage;
  texts: string[];
  deltas: { usage: DeltaUsage; stopReason?: string }[];
  pings: number;
  stop: boolean;
  error?: string;
  /** Omit `event:` lines: the type is then read from the data. */
  dataOnly: boolean;
  ending: string;
}

const scenario: fc.Arbitrary<Scenario> = fc.record(
  {
    id: fc.stringMatching(/^msg_[A-Za-z0-9]{1,24}$/),
    model: fc.constantFrom("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"),
    start: fc.record({
      input: tokens,
      output: fc.integer({ min: 0, max: 5 }),
      read: tokens,
      write5m: tokens,
      write1h: tokens,
      totalOnly: fc.boolean(),
    }),
    texts: fc.array(lineText(12), { maxLength: 6 }),
    deltas: fc.array(
      fc.record(
        {
          usage: fc.record(
            { output: tokens, input: tokens, read: tokens, writeTotal: tokens },
            { requiredKeys: ["output"] },
          ),
          stopReason: fc.constantFrom("end_turn", "max_tokens", "tool_use", "stop_sequence"),
        },
        { requiredKeys: ["usage"] },
      ),
      { maxLength: 3 },
    ),
    pings: fc.integer({ min: 0, max: 3 }),
    stop: fc.boolean(),
    error: fc.constantFrom("overloaded_error", "api_error"),
    dataOnly: fc.boolean(),
    ending: fc.constantFrom("\n", "\r\n", "\r"),
  },
  {
    requiredKeys: [
      "id",
      "model",
      "start",
      "texts",
      "deltas",
      "pings",
      "stop",
      "dataOnly",
      "ending",
    ],
  },
);

function startUsage(u: StartUsage) {
  return {
    input_tokens: u.input,
    output_tokens: u.output,
    cache_read_input_tokens: u.read,
    cache_creation_input_tokens: u.write5m + u.write1h,
    ...(!u.totalOnly && {
      cache_creation: {
        ephemeral_5m_input_tokens: u.write5m,
        ephemeral_1h_input_tokens: u.write1h,
      },
    }),
  };
}

function events(s: Scenario): { event: string; data: object }[] {
  const out: { event: string; data: object }[] = [];
  const ping = () => out.push({ event: "ping", data: { type: "ping" } });
  const message = {
    id: s.id,
    type: "message",
    role: "assistant",
    model: s.model,
    content: [],
    stop_reason: null,
    usage: startUsage(s.start),
  };
  out.push({ event: "message_start", data: { type: "message_start", message } });
  if (s.pings > 0) ping();
  out.push({
    event: "content_block_start",
    data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  });
  for (const [i, text] of s.texts.entries()) {
    const delta = { type: "text_delta", text };
    out.push({
      event: "content_block_delta",
      data: { type: "content_block_delta", index: 0, delta },
    });
    if (i < s.pings - 1) ping();
  }
  out.push({ event: "content_block_stop", data: { type: "content_block_stop", index: 0 } });
  for (const d of s.deltas) {
    const usage = {
      output_tokens: d.usage.output,
      ...(d.usage.input !== undefined && { input_tokens: d.usage.input }),
      ...(d.usage.read !== undefined && { cache_read_input_tokens: d.usage.read }),
      ...(d.usage.writeTotal !== undefined && { cache_creation_input_tokens: d.usage.writeTotal }),
    };
    const delta = { stop_reason: d.stopReason ?? null, stop_sequence: null };
    out.push({ event: "message_delta", data: { type: "message_delta", delta, usage } });
  }
  if (s.error) {
    const error = { type: s.error, message: "Overloaded" };
    out.push({ event: "error", data: { type: "error", error } });
  }
  if (s.stop) out.push({ event: "message_stop", data: { type: "message_stop" } });
  return out;
}

function serialise(s: Scenario): string {
  const nl = s.ending;
  return events(s)
    .map(({ event, data }) => {
      const head = s.dataOnly ? "" : `event: ${event}${nl}`;
      return `${head}data: ${JSON.stringify(data)}${nl}${nl}`;
    })
    .join("");
}

/** The bill the contract gives: message_start's usage, each delta's fields overwriting it. */
function expectedUsage(s: Scenario): Usage {
  const u = s.start;
  const usage: Usage = {
    inputTokens: u.input,
    outputTokens: u.output,
    cacheReadTokens: u.read,
    cacheWrite5mTokens: u.totalOnly ? u.write5m + u.write1h : u.write5m,
    cacheWrite1hTokens: u.totalOnly ? 0 : u.write1h,
  };
  for (const { usage: d } of s.deltas) {
    usage.outputTokens = d.output;
    if (d.input !== undefined) usage.inputTokens = d.input;
    if (d.read !== undefined) usage.cacheReadTokens = d.read;
    if (d.writeTotal !== undefined) {
      // A total without its breakdown keeps the 1h share message_start reported.
      usage.cacheWrite1hTokens = Math.min(usage.cacheWrite1hTokens, d.writeTotal);
      usage.cacheWrite5mTokens = d.writeTotal - usage.cacheWrite1hTokens;
    }
  }
  return usage;
}

function meter(chunks: readonly Uint8Array[]): StreamUsageMeter {
  const parser = new SseParser();
  const m = new StreamUsageMeter();
  for (const chunk of chunks) for (const e of parser.push(chunk)) m.observe(e);
  for (const e of parser.end()) m.observe(e);
  return m;
}

function expectCounts(usage: Usage): void {
  for (const value of Object.values(usage)) {
    expect(Number.isSafeInteger(value) && value >= 0, `token count ${value}`).toBe(true);
  }
}

// Usage-shaped values with every kind of wrong field: negative, fractional, huge, strings,
// nested, missing.
const oddCount = fc.oneof(
  tokens,
  fc.integer({ min: -5, max: -1 }),
  fc.double(),
  fc.constantFrom(2 ** 60, "12", null, true, [], {}),
);
const oddUsage = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      input_tokens: oddCount,
      output_tokens: oddCount,
      cache_read_input_tokens: oddCount,
      cache_creation_input_tokens: oddCount,
      cache_creation: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record(
          { ephemeral_5m_input_tokens: oddCount, ephemeral_1h_input_tokens: oddCount },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);
const eventName = fc.oneof(
  fc.constantFrom("message_start", "message_delta", "message_stop", "error", "message", "ping"),
  fc.string({ maxLength: 8 }),
);
const oddEvent: fc.Arbitrary<SseEvent> = fc.record({
  event: eventName,
  data: fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record({ type: eventName, usage: oddUsage, message: fc.record({ usage: oddUsage }) })
      .map((v) => JSON.stringify(v)),
    fc
      .record({ type: eventName, error: fc.jsonValue({ maxDepth: 2 }) })
      .map((v) => JSON.stringify(v)),
  ),
});

describe("StreamUsageMeter properties", () => {
  it("bills a valid stream the same whatever its chunking, line endings and framing", () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), chunksOf(utf8(serialise(s))))),
        ([s, chunks]) => {
          const m = meter(chunks);
          expect(m.usage).toEqual(expectedUsage(s));
          expect(m.model).toBe(s.model);
          expect(m.messageId).toBe(s.id);
          expect(m.stopReason).toBe(s.deltas.findLast((d) => d.stopReason)?.stopReason);
          expect(m.sawMessageStop).toBe(s.stop);
          expect(m.errorType).toBe(s.error);
          expect(m.eventCount).toBe(events(s).length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on malformed events, and every count stays a non-negative integer", () => {
    fc.assert(
      fc.property(fc.array(oddEvent, { maxLength: 12 }), (odd) => {
        const m = new StreamUsageMeter();
        for (const e of odd) {
          m.observe(e);
          expectCounts(m.usage);
        }
        expect(m.eventCount).toBe(odd.length);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary bytes through the parser", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }).chain((bytes) => chunksOf(bytes)),
        (chunks) => {
          expectCounts(meter(chunks).usage);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// Properties of the SSE parser: a valid stream gives the events the spec says, however the
// network cuts it; any bytes at all never make it throw, and what it holds stays bounded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteByByte, chunksOf, lineText, utf8 } from "../test/arbitraries";
import { type SseEvent, SseParser } from "./sse";

type Line =
  | { kind: "data"; value: string; spaced: boolean }
  | { kind: "event"; value: string }
  | { kind: "comment"; text: string }
  | { kind: "other"; name: string; value: string };

interface Block {
  lines: Line[];
  /** Line endings, one per line and one for the blank line that closes the block. */
  endings: string[];
}

const ending = fc.constantFrom("\n", "\r\n", "\r");

const line = (maxValue: number): fc.Arbitrary<Line> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("data" as const),
        value: lineText(maxValue),
        spaced: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("event" as const), value: lineText(maxValue) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("comment" as const), text: lineText(maxValue) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("other" as const),
        name: fc.constantFrom("id", "retry", "x-custom", "datum", "events"),
        value: lineText(maxValue),
      }),
    },
  );

const block = (maxValue: number): fc.Arbitrary<Block> =>
  fc
    .array(line(maxValue), { minLength: 1, maxLength: 6 })
    .chain((lines) =>
      fc
        .array(ending, { minLength: lines.length + 1, maxLength: lines.length + 1 })
        .map((endings) => ({ lines, endings })),
    );

interface Stream {
  blocks: Block[];
  bom: boolean;
  /** The last block lacks its closing blank line (the parser still dispatches it at the end). */
  openTail: boolean;
}

const stream = (maxValue = 24): fc.Arbitrary<Stream> =>
  fc.record({
    blocks: fc.array(block(maxValue), { maxLength: 6 }),
    bom: fc.boolean(),
    openTail: fc.boolean(),
  });

function render(l: Line): string {
  switch (l.kind) {
    case "data":
      // "data:value" only when the value has no leading space of its own to lose.
      return l.spaced || l.value.startsWith(" ") ? `data: ${l.value}` : `data:${l.value}`;
    case "event":
      return `event: ${l.value}`;
    case "comment":
      return `:${l.text}`;
    case "other":
      return `${l.name}: ${l.value}`;
  }
}

function serialise(s: Stream): string {
  let text = s.bom ? "\uFEFF" : "";
  let previous = "";
  s.blocks.forEach((b, i) => {
    b.lines.forEach((l, j) => {
      text += render(l) + b.endings[j];
      previous = b.endings[j] ?? "";
    });
    if (i === s.blocks.length - 1 && s.openTail) return;
    // A lone LF after a CR would join it as one CRLF, not end an empty line.
    const blank = b.endings[b.lines.length] ?? "\n";
    text += previous === "\r" && blank === "\n" ? "\r" : blank;
    previous = blank;
  });
  return text;
}

/** What the spec (plus dispatch-at-end) says the stream holds. */
function expected(s: Stream): SseEvent[] {
  const events: SseEvent[] = [];
  for (const b of s.blocks) {
    let type = "";
    const data: string[] = [];
    for (const l of b.lines) {
      if (l.kind === "data") data.push(l.value);
      else if (l.kind === "event") type = l.value;
    }
    if (data.length > 0) events.push({ event: type || "message", data: data.join("\n") });
  }
  return events;
}

function parse(chunks: readonly Uint8Array[], parser: SseParser): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

// Bytes that look like SSE often enough to reach every branch, mixed with anything at all.
const garbage: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 16 }),
      fc
        .constantFrom("data:", "data: ", "event: ", ":", "id: ", "\r", "\n", "\r\n", "é", "🎉")
        .map(utf8),
      fc.constantFrom(0xc3, 0xe6, 0xf0, 0x80, 0xbf, 0xff, 0xfe, 0xef).map((b) => Uint8Array.of(b)),
      fc.integer({ min: 1, max: 200 }).map((n) => utf8("x".repeat(n))),
    ),
    { maxLength: 40 },
  )
  .map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });

// Valid streams with values longer than the limits used below, and garbage.
const input = fc.oneof(
  stream(40).map((s) => utf8(serialise(s))),
  garbage,
);

describe("SseParser properties", () => {
  it("gives the spec's events for a valid stream, however it is chunked", () => {
    fc.assert(
      fc.property(
        stream().chain((s) => fc.tuple(fc.constant(s), chunksOf(utf8(serialise(s))))),
        ([s, chunks]) => {
          expect(parse(chunks, new SseParser())).toEqual(expected(s));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same events fed one byte at a time (splits inside UTF-8 and CRLF)", () => {
    fc.assert(
      fc.property(stream(), (s) => {
        expect(parse(byteByByte(utf8(serialise(s))), new SseParser())).toEqual(expected(s));
      }),
      { numRuns: 150 },
    );
  });

  it("under a size limit, keeps or drops the same events whatever the chunking", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }),
        input.chain((bytes) => fc.tuple(fc.constant(bytes), chunksOf(bytes))),
        (max, [bytes, chunks]) => {
          const whole = parse([bytes], new SseParser({ maxEventBytes: max }));
          expect(parse(chunks, new SseParser({ maxEventBytes: max }))).toEqual(whole);
          expect(parse(byteByByte(bytes), new SseParser({ maxEventBytes: max }))).toEqual(whole);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws on garbage, never reports more than the limit, never holds much more", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        input.chain((bytes) => chunksOf(bytes)),
        (max, chunks) => {
          const parser = new SseParser({ maxEventBytes: max });
          const events: SseEvent[] = [];
          for (const chunk of chunks) {
            events.push(...parser.push(chunk));
            // A line being assembled ("event: " and its value), the event's data, its type.
            expect(parser.bufferedLength).toBeLessThanOrEqual(3 * max + 7);
          }
          events.push(...parser.end());
          expect(parser.bufferedLength).toBe(0);
          for (const e of events) {
            expect(e.data.length).toBeLessThanOrEqual(max);
            expect(e.event.length).toBeLessThanOrEqual(Math.max(max, "message".length));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

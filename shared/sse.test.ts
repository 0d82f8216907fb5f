import { describe, expect, it } from "vitest";
import { type SseEvent, SseParser } from "./sse";

const encoder = new TextEncoder();

function parseChunks(chunks: readonly Uint8Array[], parser = new SseParser()): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

function parseText(text: string, parser?: SseParser): SseEvent[] {
  return parseChunks([encoder.encode(text)], parser);
}

// Mixes every line ending, multi-byte characters of each UTF-8 length, comments, ignored
// fields, multi-line data and an event without data.
const MIXED_STREAM =
  "\uFEFF: opening comment\n" +
  "event: message_start\r\n" +
  'data: {"type":"message_start","text":"héllo 日本 🎉"}\r\n' +
  "\r\n" +
  "id: 42\rretry: 1000\revent: ping\rdata: {}\r\r" +
  "event: lonely\n\n" +
  "data: line one\n" +
  "data:line two\n" +
  "data:  leading space kept\n" +
  "data\n" +
  ": comment inside an event\n" +
  "\n" +
  "event: tail\r\ndata: ü€𝄞\r\n\r\n";

const MIXED_EVENTS: SseEvent[] = [
  { event: "message_start", data: '{"type":"message_start","text":"héllo 日本 🎉"}' },
  { event: "ping", data: "{}" },
  { event: "message", data: "line one\nline two\n leading space kept\n" },
  { event: "tail", data: "ü€𝄞" },
];

describe("SseParser", () => {
  it("parses a stream with mixed line endings, comments and multi-line data", () => {
    expect(parseText(MIXED_STREAM)).toEqual(MIXED_EVENTS);
  });

  it("yields identical events wherever the stream is split", () => {
    const bytes = encoder.encode(MIXED_STREAM);
    for (let i = 0; i <= bytes.length; i++) {
      const events = parseChunks([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(events, `split at byte ${i}`).toEqual(MIXED_EVENTS);
    }
  });

  it("yields identical events when split at every pair of byte boundaries", () => {
    const bytes = encoder.encode("data: é🎉\r\n\r\nevent: x\rdata: a\r\r: c\ndata: 日\n\n");
    const expected = [
      { event: "message", data: "é🎉" },
      { event: "x", data: "a" },
      { event: "message", data: "日" },
    ];
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
        expect(parseChunks(chunks), `split at ${i} and ${j}`).toEqual(expected);
      }
    }
  });

  it("yields identical events when fed one byte at a time", () => {
    const bytes = encoder.encode(MIXED_STREAM);
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(parseChunks(chunks)).toEqual(MIXED_EVENTS);
  });

  it("treats a CRLF split across chunks as one line ending", () => {
    const parser = new SseParser();
    expect(parser.push(encoder.encode("data: a\r"))).toEqual([]);
    // Were the LF read as a second terminator, it would be a blank line dispatching "a".
    expect(parser.push(encoder.encode("\ndata: b\r"))).toEqual([]);
    expect(parser.push(encoder.encode("\n"))).toEqual([]);
    expect(parser.push(encoder.encode("\r\n"))).toEqual([{ event: "message", data: "a\nb" }]);
  });

  it("keeps a CR pending across an empty chunk", () => {
    const parser = new SseParser();
    expect(parser.push(encoder.encode("data: x\r"))).toEqual([]);
    expect(parser.push(new Uint8Array(0))).toEqual([]);
    expect(parser.push(encoder.encode("\ndata: y\n"))).toEqual([]);
    expect(parser.push(encoder.encode("\n"))).toEqual([{ event: "message", data: "x\ny" }]);
  });

  it("decodes a multi-byte character split between chunks", () => {
    const bytes = encoder.encode("data: 🎉\n\n");
    const parser = new SseParser();
    // 🎉 is 4 bytes starting at offset 6.
    expect(parser.push(bytes.subarray(0, 7))).toEqual([]);
    expect(parser.push(bytes.subarray(7, 9))).toEqual([]);
    expect(parser.push(bytes.subarray(9))).toEqual([{ event: "message", data: "🎉" }]);
  });

  it("joins multi-line data with LF and strips exactly one space after the colon", () => {
    expect(parseText("data:a\ndata: b\ndata:  c\ndata:\ndata\n\n")).toEqual([
      { event: "message", data: "a\nb\n c\n\n" },
    ]);
  });

  it("does not dispatch an event without data, and resets its type", () => {
    expect(parseText("event: foo\nid: 1\n\ndata: x\n\n")).toEqual([
      { event: "message", data: "x" },
    ]);
    expect(parseText(": only a comment\n\n\n\n")).toEqual([]);
  });

  it("dispatches an empty data line as an event with empty data", () => {
    expect(parseText("event: e\ndata:\n\n")).toEqual([{ event: "e", data: "" }]);
  });

  it("ignores id, retry and unknown fields but not the data around them", () => {
    expect(parseText("data: a\nid: 7\nretry: 5\nfoo: bar\ndata: b\n\n")).toEqual([
      { event: "message", data: "a\nb" },
    ]);
  });

  it("on end, dispatches an event whose final blank line never came", () => {
    const parser = new SseParser();
    expect(
      parser.push(encoder.encode('event: message_stop\ndata: {"type":"message_stop"}')),
    ).toEqual([]);
    expect(parser.end()).toEqual([{ event: "message_stop", data: '{"type":"message_stop"}' }]);
    // The parser starts afresh after end().
    expect(parseText("data: next\n\n", parser)).toEqual([{ event: "message", data: "next" }]);
  });

  it("turns invalid and truncated UTF-8 into U+FFFD instead of throwing", () => {
    const parser = new SseParser();
    const bad = Uint8Array.of(...encoder.encode("data: "), 0xff, 0xc3, 0x28, 0x0a, 0x0a);
    expect(parser.push(bad)).toEqual([{ event: "message", data: "\uFFFD\uFFFD(" }]);
    parser.push(Uint8Array.of(...encoder.encode("data: "), 0xe2, 0x82));
    expect(parser.end()).toEqual([{ event: "message", data: "\uFFFD" }]);
  });

  it("strips a leading BOM only at the very start", () => {
    expect(parseText("\uFEFFdata: a\n\n\uFEFFdata: b\n\n")).toEqual([
      { event: "message", data: "a" },
    ]);
  });

  describe("maxEventBytes", () => {
    it("drops an event whose data outgrows the limit and keeps parsing", () => {
      const parser = new SseParser({ maxEventBytes: 10 });
      const events = parseText(
        "data: 0123456789\n\ndata: 0123456789X\n\ndata: 01234\ndata: 56789\n\ndata: ok\n\n",
        parser,
      );
      // 10 fits; 11 does not; "01234\n56789" is 11.
      expect(events).toEqual([
        { event: "message", data: "0123456789" },
        { event: "message", data: "ok" },
      ]);
    });

    it("drops an overlong line arriving in small chunks without buffering it", () => {
      const parser = new SseParser({ maxEventBytes: 100 });
      const events: SseEvent[] = [];
      events.push(...parser.push(encoder.encode("event: big\ndata: ")));
      const filler = encoder.encode("x".repeat(1000));
      for (let i = 0; i < 1000; i++) events.push(...parser.push(filler));
      events.push(...parser.push(encoder.encode("\ndata: still the big event\n\nevent: after\n")));
      events.push(...parser.push(encoder.encode("data: fine\n\n")));
      expect(events).toEqual([{ event: "after", data: "fine" }]);
    });

    it("drops only the comment when an overlong comment line is in an event", () => {
      const parser = new SseParser({ maxEventBytes: 20 });
      parser.push(encoder.encode("data: kept\n:"));
      for (let i = 0; i < 10; i++) parser.push(encoder.encode("comment ".repeat(10)));
      expect(parser.push(encoder.encode("\n\n"))).toEqual([{ event: "message", data: "kept" }]);
    });

    it("drops an event whose type is longer than the limit", () => {
      const parser = new SseParser({ maxEventBytes: 8 });
      expect(
        parseText(`event: ${"e".repeat(9)}\ndata: x\n\nevent: short\ndata: y\n\n`, parser),
      ).toEqual([{ event: "short", data: "y" }]);
    });

    it("drops an event with an overlong line whether or not the line came in one chunk", () => {
      // Found by sse.property.test.ts: a whole `id:` line past the limit was kept, the same
      // line split across chunks poisoned its event.
      const stream = encoder.encode("id: a\u{10000}01234\ndata:\n\ndata: next\n\n");
      const next = [{ event: "message", data: "next" }];
      const bytes = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
      expect(parseChunks([stream], new SseParser({ maxEventBytes: 4 }))).toEqual(next);
      expect(parseChunks(bytes, new SseParser({ maxEventBytes: 4 }))).toEqual(next);
    });

    it("defaults to 1 MiB", () => {
      const exactly = "a".repeat(1024 * 1024);
      expect(parseText(`data: ${exactly}\n\n`)).toEqual([{ event: "message", data: exactly }]);
      expect(parseText(`data: ${exactly}a\n\ndata: b\n\n`)).toEqual([
        { event: "message", data: "b" },
      ]);
    });
  });

  it("parses a long line fed in small chunks in linear time", () => {
    // 4 MiB in 1 KiB chunks: rescanning or re-concatenating the buffered line per chunk would
    // touch ~8 G characters and take far longer than the bound below.
    const parser = new SseParser({ maxEventBytes: 8 * 1024 * 1024 });
    const piece = encoder.encode("y".repeat(1024));
    const started = performance.now();
    parser.push(encoder.encode("data: "));
    for (let i = 0; i < 4096; i++) parser.push(piece);
    const events = parser.push(encoder.encode("\n\n"));
    const elapsed = performance.now() - started;
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(4 * 1024 * 1024);
    expect(elapsed).toBeLessThan(2000);
  });
});

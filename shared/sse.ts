// Incremental text/event-stream parser (WHATWG HTML "event stream interpretation"). It runs on
// a side branch of a proxied stream whose bytes go to the client untouched, so it has to keep
// up with the stream, never throw on whatever an upstream sends, and keep memory bounded.

export interface SseEvent {
  /** The `event:` field, or "message" when there was none. */
  event: string;
  data: string;
}

export interface SseParserOptions {
  /**
   * Events whose data grows past this are dropped, as is any line too long to fit under it.
   * Measured in UTF-16 code units (what a JS string holds), which never exceeds the UTF-8
   * byte count and equals it for ASCII. Default 1 MiB.
   */
  maxEventBytes?: number;
}

const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
// A line may be this much longer than the value it carries: "event: ", the longest prefix of a
// field the parser reads. Any other line longer than the limit plus this poisons its event,
// whether it came in one chunk or many, so chunk boundaries never decide what is dropped.
const FIELD_PREFIX_LENGTH = 7;

export class SseParser {
  // UTF-8, non-fatal (bad bytes become U+FFFD instead of throwing) and BOM-stripping, which
  // is exactly the decoding the spec asks for.
  readonly #decoder = new TextDecoder();
  readonly #maxEventBytes: number;

  // The unterminated tail of the stream so far. Kept as pieces and joined once when its line
  // ends, so a long line arriving in many chunks costs linear, not quadratic, time.
  readonly #partial: string[] = [];
  #partialLength = 0;
  // The previous text ended in CR: an LF starting the next one completes that CRLF.
  #skipLeadingLf = false;
  // The line being assembled outgrew the limit; ignore the rest of it.
  #discardingLine = false;

  #eventType = "";
  readonly #data: string[] = [];
  #dataLength = 0;
  #droppingEvent = false;

  constructor(options: SseParserOptions = {}) {
    const max = options.maxEventBytes;
    this.#maxEventBytes = typeof max === "number" && max >= 0 ? max : DEFAULT_MAX_EVENT_BYTES;
  }

  /** UTF-16 code units held between chunks: the unfinished line, the event's data and type. */
  get bufferedLength(): number {
    return this.#partialLength + this.#dataLength + this.#eventType.length;
  }

  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    this.#feed(this.#decoder.decode(chunk, { stream: true }), out);
    return out;
  }

  /**
   * Flushes the stream. Unlike the spec, which discards an event missing its final blank line,
   * this dispatches it: a stream cut right after its last `data:` line still carries usage the
   * upstream billed for, and a truncated JSON payload is rejected by the consumer anyway.
   * The parser can be reused afterwards.
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.#feed(this.#decoder.decode(), out);
    if (this.#partial.length > 0 && !this.#discardingLine) this.#line(this.#takePartial(""), out);
    this.#dispatch(out);
    this.#partial.length = 0;
    this.#partialLength = 0;
    this.#skipLeadingLf = false;
    this.#discardingLine = false;
    return out;
  }

  #feed(text: string, out: SseEvent[]): void {
    const length = text.length;
    // An empty text (a chunk holding only part of a UTF-8 sequence) must leave a pending
    // CR-then-LF check for the text that follows.
    if (length === 0) return;
    let pos = 0;
    if (this.#skipLeadingLf) {
      this.#skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    // Next CR and LF positions are cached so each is searched for once per occurrence, rather
    // than rescanning to the end of the text for a terminator that never comes.
    let cr = text.indexOf("\r", pos);
    let lf = text.indexOf("\n", pos);
    while (pos < length) {
      if (cr !== -1 && cr < pos) cr = text.indexOf("\r", pos);
      if (lf !== -1 && lf < pos) lf = text.indexOf("\n", pos);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) {
        this.#stash(pos === 0 ? text : text.slice(pos));
        return;
      }
      if (this.#discardingLine) {
        this.#discardingLine = false;
      } else {
        const piece = text.slice(pos, end);
        this.#line(this.#partial.length > 0 ? this.#takePartial(piece) : piece, out);
      }
      pos = end + 1;
      if (end === cr) {
        if (pos === length) this.#skipLeadingLf = true;
        else if (text.charCodeAt(pos) === LF) pos++;
      }
    }
  }

  #stash(rest: string): void {
    if (this.#discardingLine) return;
    this.#partialLength += rest.length;
    if (this.#partialLength <= this.#maxEventBytes + FIELD_PREFIX_LENGTH) {
      this.#partial.push(rest);
      return;
    }
    // An overlong comment costs only itself; any other overlong line poisons its event.
    const first = this.#partial[0] ?? rest;
    if (first.charCodeAt(0) !== COLON) this.#dropEvent();
    this.#partial.length = 0;
    this.#partialLength = 0;
    this.#discardingLine = true;
  }

  #takePartial(last: string): string {
    this.#partial.push(last);
    const line = this.#partial.join("");
    this.#partial.length = 0;
    this.#partialLength = 0;
    return line;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.#dispatch(out);
      return;
    }
    if (this.#droppingEvent || line.charCodeAt(0) === COLON) return;
    if (line.length > this.#maxEventBytes + FIELD_PREFIX_LENGTH) {
      this.#dropEvent();
      return;
    }
    const colon = line.indexOf(":");
    const nameLength = colon === -1 ? line.length : colon;
    if (nameLength === 4 && line.startsWith("data")) {
      this.#appendData(fieldValue(line, colon));
    } else if (nameLength === 5 && line.startsWith("event")) {
      const value = fieldValue(line, colon);
      if (value.length > this.#maxEventBytes) this.#dropEvent();
      else this.#eventType = value;
    }
    // `id`, `retry` and unknown fields carry nothing this parser reports.
  }

  #appendData(value: string): void {
    this.#dataLength += value.length + (this.#data.length > 0 ? 1 : 0);
    if (this.#dataLength > this.#maxEventBytes) this.#dropEvent();
    else this.#data.push(value);
  }

  #dropEvent(): void {
    this.#droppingEvent = true;
    this.#data.length = 0;
    this.#dataLength = 0;
  }

  #dispatch(out: SseEvent[]): void {
    if (!this.#droppingEvent && this.#data.length > 0) {
      out.push({ event: this.#eventType || "message", data: this.#data.join("\n") });
    }
    this.#eventType = "";
    this.#data.length = 0;
    this.#dataLength = 0;
    this.#droppingEvent = false;
  }
}

function fieldValue(line: string, colon: number): string {
  if (colon === -1) return "";
  return line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
}

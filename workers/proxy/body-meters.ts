// What is metered of a response body as it passes: usage, model and error type from an SSE
// stream's events, or from a whole JSON body (or, past 1 MiB, from its two ends).
import { SseParser } from "../../shared/sse";
import {
  type MessageUsage,
  StreamUsageMeter,
  usageFromMessageEnds,
  usageFromMessageJson,
  ZERO_USAGE,
} from "../../shared/usage";
import type { BodyCapture } from "./captured-content";
import type { BodyOutcome } from "./metered-body";

/** A JSON body up to this size is kept whole to be metered. */
export const JSON_METER_LIMIT = 1024 * 1024;
/** How much of each end of a larger JSON body is kept for metering. */
const JSON_END_BYTES = 64 * 1024;

export interface Meter {
  push(chunk: Uint8Array): void;
  /** Whether the body ended the way a complete response ends. */
  sawEnd(): boolean;
  result(): Metered;
}

/** What a meter learns of a body. */
export type Metered = Pick<
  BodyOutcome,
  "usage" | "model" | "errorType" | "messageId" | "stopReason"
>;

/** `meter`, also copying the body's first bytes aside for content capture when asked. */
export function withCapture(meter: Meter, capture: BodyCapture | undefined): Meter {
  if (!capture) return meter;
  return {
    push(chunk) {
      capture.push(chunk);
      meter.push(chunk);
    },
    sawEnd: () => meter.sawEnd(),
    result: () => meter.result(),
  };
}

export class SseMeter implements Meter {
  readonly #parser = new SseParser();
  readonly #meter = new StreamUsageMeter();

  push(chunk: Uint8Array) {
    for (const event of this.#parser.push(chunk)) this.#meter.observe(event);
  }

  sawEnd() {
    for (const event of this.#parser.end()) this.#meter.observe(event);
    return this.#meter.sawMessageStop || this.#meter.errorType !== undefined;
  }

  result() {
    const m = this.#meter;
    return {
      usage: { ...m.usage },
      model: m.model,
      errorType: m.errorType,
      messageId: m.messageId,
      stopReason: m.stopReason,
    };
  }
}

/**
 * Keeps a JSON body to meter it once it has ended: all of it up to JSON_METER_LIMIT, and past
 * that only its two ends, which hold what metering needs (the message's type and model at the
 * start, its usage at the end).
 */
export class JsonMeter implements Meter {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  #head: Uint8Array | undefined;
  #tail = new Uint8Array(0);

  push(chunk: Uint8Array) {
    if (this.#head === undefined && this.#size + chunk.byteLength <= JSON_METER_LIMIT) {
      this.#chunks.push(chunk.slice());
      this.#size += chunk.byteLength;
      return;
    }
    this.#head ??= concat(this.#chunks, this.#size).slice(0, JSON_END_BYTES);
    this.#chunks.length = 0;
    const joined = concat([this.#tail, chunk], this.#tail.byteLength + chunk.byteLength);
    this.#tail = joined.slice(Math.max(0, joined.byteLength - JSON_END_BYTES));
  }

  sawEnd() {
    return true;
  }

  result(): Metered {
    if (this.#head === undefined) return meterJson(concat(this.#chunks, this.#size));
    const decoder = new TextDecoder();
    const message = usageFromMessageEnds(decoder.decode(this.#head), decoder.decode(this.#tail));
    return message
      ? metered(message)
      : { usage: { ...ZERO_USAGE }, model: undefined, errorType: undefined };
  }
}

/** Usage and model of a whole Messages response, or the error type of an error body. */
export function meterJson(bytes: Uint8Array): Metered {
  const text = new TextDecoder().decode(bytes);
  const message = usageFromMessageJson(text);
  if (message) return metered(message);
  return { usage: { ...ZERO_USAGE }, model: undefined, errorType: errorTypeOf(text) };
}

function metered(message: MessageUsage): Metered {
  const { usage, model, messageId, stopReason } = message;
  return { usage, model, errorType: undefined, messageId, stopReason };
}

export function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function errorTypeOf(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "error" in parsed) {
      const error = parsed.error;
      if (typeof error === "object" && error !== null && "type" in error) {
        return typeof error.type === "string" ? error.type : undefined;
      }
    }
  } catch {
    // Not JSON: nothing to learn from it.
  }
  return undefined;
}

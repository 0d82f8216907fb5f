// Token usage read from Anthropic Messages responses, streamed or not, so a request can be
// billed. Upstream bodies are untrusted: anything malformed is skipped, nothing throws.
import type { SseEvent } from "./sse";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
}

export const ZERO_USAGE: Readonly<Usage> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
});

export interface MessageUsage {
  usage: Usage;
  model?: string;
  messageId?: string;
  stopReason?: string;
}

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parseObject(json: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

interface ReadUsage {
  usage: Partial<Usage>;
  /** Cache writes came from `cache_creation_input_tokens` alone, with no 5m/1h breakdown. */
  cacheWriteTotalOnly: boolean;
}

function readUsage(raw: unknown): ReadUsage {
  const usage: Partial<Usage> = {};
  if (!isObject(raw)) return { usage, cacheWriteTotalOnly: false };

  const input = tokenCount(raw.input_tokens);
  if (input !== undefined) usage.inputTokens = input;
  const output = tokenCount(raw.output_tokens);
  if (output !== undefined) usage.outputTokens = output;
  const cacheRead = tokenCount(raw.cache_read_input_tokens);
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;

  const total = tokenCount(raw.cache_creation_input_tokens);
  const breakdown = isObject(raw.cache_creation) ? raw.cache_creation : undefined;
  const write5m = tokenCount(breakdown?.ephemeral_5m_input_tokens);
  const write1h = tokenCount(breakdown?.ephemeral_1h_input_tokens);
  if (write5m === undefined && write1h === undefined) {
    if (total === undefined) return { usage, cacheWriteTotalOnly: false };
    // Without a breakdown the total is all there is: price it at the 5m rate, the default TTL.
    usage.cacheWrite5mTokens = total;
    usage.cacheWrite1hTokens = 0;
    return { usage, cacheWriteTotalOnly: true };
  }
  // A breakdown missing one side next to a total: the missing side is the remainder.
  if (write5m !== undefined) usage.cacheWrite5mTokens = write5m;
  else if (total !== undefined && write1h !== undefined) {
    usage.cacheWrite5mTokens = Math.max(0, total - write1h);
  }
  if (write1h !== undefined) usage.cacheWrite1hTokens = write1h;
  else if (total !== undefined && write5m !== undefined) {
    usage.cacheWrite1hTokens = Math.max(0, total - write5m);
  }
  return { usage, cacheWriteTotalOnly: false };
}

/**
 * Reads an Anthropic `usage` object. Returns only the fields present as non-negative integers.
 * A `cache_creation_input_tokens` without its `cache_creation` breakdown counts entirely as 5m
 * writes (and sets 1h writes to 0, so the two still add up to the reported total).
 */
export function usageFromApi(raw: unknown): Partial<Usage> {
  return readUsage(raw).usage;
}

// Events the meter reads. Everything else (content blocks, ping, future types) is skipped
// before its JSON is parsed, since content_block_delta makes up nearly all of a stream.
const METERED_EVENTS: ReadonlySet<string> = new Set([
  "message_start",
  "message_delta",
  "message_stop",
  "error",
]);

/** Accumulates usage and outcome from the events of one Anthropic Messages stream. */
export class StreamUsageMeter {
  #usage: Usage = { ...ZERO_USAGE };
  #model: string | undefined;
  #messageId: string | undefined;
  #stopReason: string | undefined;
  #errorType: string | undefined;
  #sawMessageStop = false;
  #eventCount = 0;

  get usage(): Usage {
    return { ...this.#usage };
  }
  get model(): string | undefined {
    return this.#model;
  }
  get messageId(): string | undefined {
    return this.#messageId;
  }
  get stopReason(): string | undefined {
    return this.#stopReason;
  }
  /** `error.type` of an in-stream `error` event ("unknown" if it had none). */
  get errorType(): string | undefined {
    return this.#errorType;
  }
  get sawMessageStop(): boolean {
    return this.#sawMessageStop;
  }
  /** Every event observed, including ignored and malformed ones. */
  get eventCount(): number {
    return this.#eventCount;
  }

  observe(e: SseEvent): void {
    this.#eventCount++;
    const named = e.event !== "message";
    if (named && !METERED_EVENTS.has(e.event)) return;
    const data = parseObject(e.data);
    if (data === undefined) return;
    const type = named ? e.event : data.type;

    switch (type) {
      case "message_start": {
        const message = data.message;
        if (!isObject(message)) return;
        if (typeof message.id === "string") this.#messageId = message.id;
        if (typeof message.model === "string") this.#model = message.model;
        if (typeof message.stop_reason === "string") this.#stopReason = message.stop_reason;
        this.#usage = { ...ZERO_USAGE, ...readUsage(message.usage).usage };
        return;
      }
      case "message_delta": {
        const delta = data.delta;
        if (isObject(delta) && typeof delta.stop_reason === "string") {
          this.#stopReason = delta.stop_reason;
        }
        this.#applyDeltaUsage(data.usage);
        return;
      }
      case "message_stop":
        this.#sawMessageStop = true;
        return;
      case "error": {
        const error = data.error;
        this.#errorType =
          isObject(error) && typeof error.type === "string" ? error.type : "unknown";
        return;
      }
    }
  }

  #applyDeltaUsage(raw: unknown): void {
    const { usage, cacheWriteTotalOnly } = readUsage(raw);
    const total = usage.cacheWrite5mTokens;
    if (cacheWriteTotalOnly && total !== undefined) {
      // message_delta repeats the cache-write total without the breakdown. Keep the 1h share
      // message_start reported: pricing 1h writes at the 5m rate would under-bill them.
      const write1h = Math.min(this.#usage.cacheWrite1hTokens, total);
      usage.cacheWrite1hTokens = write1h;
      usage.cacheWrite5mTokens = total - write1h;
    }
    // Delta figures are cumulative: each overwrites, never adds.
    Object.assign(this.#usage, usage);
  }
}

/** Usage from a non-streaming Messages response body; undefined if it is not a message. */
export function usageFromMessageJson(body: string): MessageUsage | undefined {
  const message = parseObject(body);
  if (message === undefined || message.type !== "message") return undefined;
  const result: MessageUsage = { usage: { ...ZERO_USAGE, ...readUsage(message.usage).usage } };
  if (typeof message.model === "string") result.model = message.model;
  if (typeof message.id === "string") result.messageId = message.id;
  if (typeof message.stop_reason === "string") result.stopReason = message.stop_reason;
  return result;
}

/**
 * Usage from the two ends of a Messages response too large to keep whole: `head` its first
 * bytes, `tail` its last. A message's `usage` is its last field, so the tail holds it; the
 * model is read from the head when it is there. Undefined if the head is not a message's or
 * the tail holds no usage object.
 */
export function usageFromMessageEnds(head: string, tail: string): MessageUsage | undefined {
  if (!/^\s*\{[^{}]*"type"\s*:\s*"message"/.test(head)) return undefined;
  const key = tail.lastIndexOf('"usage"');
  if (key === -1) return undefined;
  const start = tail.indexOf("{", key);
  const end = start === -1 ? -1 : objectEnd(tail, start);
  if (end === -1 || !/^"usage"\s*:\s*$/.test(tail.slice(key, start))) return undefined;
  const usage = parseObject(tail.slice(start, end));
  if (usage === undefined) return undefined;
  const result: MessageUsage = { usage: { ...ZERO_USAGE, ...readUsage(usage).usage } };
  const model = /^\s*\{[^{}]*"model"\s*:\s*"([^"\\]+)"/.exec(head)?.[1];
  if (model) result.model = model;
  return result;
}

/** The index just past the JSON object that opens at `start`, or -1 if it does not close. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i + 1;
  }
  return -1;
}

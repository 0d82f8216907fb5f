// Content capture for LLM requests, while the organisation has it on: the prompt (system and
// messages) and the completion (text and tool calls), redacted and capped. On the response
// path only the first bytes of the body are copied aside; reading them into a completion, and
// reading the prompt from the request's bytes, happens after the response, off its path.
import { SseParser } from "../../shared/sse";
import { cappedRedactedJson } from "../telemetry/captured-json";
import { CONTENT_MAX_CHARS } from "../telemetry/message";

/** Response bytes kept for capture: enough for a completion of CONTENT_MAX_CHARS and framing. */
export const CAPTURE_RESPONSE_BYTES = 256 * 1024;

/** The first CAPTURE_RESPONSE_BYTES of a body, copied as it passes. */
export class BodyCapture {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  push(chunk: Uint8Array): void {
    const room = CAPTURE_RESPONSE_BYTES - this.#size;
    if (room <= 0) return;
    const part = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(part.slice());
    this.#size += part.byteLength;
  }

  text(): string {
    const out = new Uint8Array(this.#size);
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return new TextDecoder().decode(out);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The prompt of a Messages request body: its system prompt and messages. */
export function capturedPrompt(body: ArrayBuffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (!isObject(json)) return undefined;
  const prompt = { system: json.system, messages: json.messages };
  return cappedRedactedJson(prompt, CONTENT_MAX_CHARS) ?? undefined;
}

type Block = Record<string, unknown>;

/** A completion's content blocks from an SSE stream's events (as far as they were kept). */
function blocksFromSse(text: string): { content: Block[]; stop_reason?: string } {
  const blocks: Block[] = [];
  const partialJson = new Map<number, string>();
  let stopReason: string | undefined;
  const parser = new SseParser();
  const events = [...parser.push(new TextEncoder().encode(text)), ...parser.end()];
  for (const event of events) {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      continue;
    }
    if (!isObject(data)) continue;
    const index = typeof data.index === "number" ? data.index : -1;
    if (data.type === "content_block_start" && isObject(data.content_block)) {
      blocks[index] = { ...data.content_block };
    } else if (data.type === "content_block_delta" && isObject(data.delta)) {
      const block = blocks[index];
      const delta = data.delta;
      if (!block) continue;
      if (delta.type === "text_delta" && typeof delta.text === "string") {
        block.text = `${typeof block.text === "string" ? block.text : ""}${delta.text}`;
      } else if (delta.type === "input_json_delta" && typeof delta.partial_json === "string") {
        partialJson.set(index, (partialJson.get(index) ?? "") + delta.partial_json);
      }
    } else if (data.type === "message_delta" && isObject(data.delta)) {
      if (typeof data.delta.stop_reason === "string") stopReason = data.delta.stop_reason;
    }
  }
  for (const [index, json] of partialJson) {
    const block = blocks[index];
    if (!block) continue;
    try {
      block.input = JSON.parse(json);
    } catch {
      block.input = json;
    }
  }
  return { content: blocks.filter(Boolean), ...(stopReason ? { stop_reason: stopReason } : {}) };
}

/** The completion of a response body (SSE or JSON), as kept by a BodyCapture. */
export function capturedCompletion(body: string, format: "sse" | "json"): string | undefined {
  if (format === "sse")
    return cappedRedactedJson(blocksFromSse(body), CONTENT_MAX_CHARS) ?? undefined;
  try {
    const json: unknown = JSON.parse(body);
    if (!isObject(json)) return undefined;
    const completion =
      json.type === "message" ? { content: json.content, stop_reason: json.stop_reason } : json;
    return cappedRedactedJson(completion, CONTENT_MAX_CHARS) ?? undefined;
  } catch {
    return (
      cappedRedactedJson({ truncated: true, preview: body.slice(0, 2048) }, CONTENT_MAX_CHARS) ??
      undefined
    );
  }
}

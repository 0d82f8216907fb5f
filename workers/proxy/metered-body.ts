// The response body the client reads: the upstream's bytes, passed on as they arrive (never
// re-serialised, never held back), while usage is metered on the side. Whatever way the body
// ends (completed, cut by the upstream, idle too long, or abandoned by the client),
// `outcome` resolves exactly once with what was metered so far.
import { SseParser } from "../../shared/sse";
import { StreamUsageMeter, type Usage, usageFromMessageJson, ZERO_USAGE } from "../../shared/usage";

export type StreamEnd = "complete" | "upstream_cut" | "idle_timeout" | "client_gone";

export interface BodyOutcome {
  end: StreamEnd;
  usage: Usage;
  model: string | undefined;
  /** Error type from the body: an SSE `error` event or a JSON error response. */
  errorType: string | undefined;
  /** Milliseconds from `startedAt` to the first byte handed to the client. */
  ttfbMs: number | undefined;
  endedAt: number;
}

export interface MeteredBodyOptions {
  /** "sse" for event streams, "json" for whole JSON bodies (messages or errors). */
  format: "sse" | "json";
  startedAt: number;
  /** The longest silence allowed between two chunks before the stream counts as cut. */
  idleTimeoutMs: number;
  /** Aborts the upstream fetch. */
  abortUpstream: () => void;
}

const JSON_METER_LIMIT = 1024 * 1024;
const encoder = new TextEncoder();

/**
 * The client's body and, once it has ended, its outcome. An SSE stream passes through the
 * gateway's own code chunk by chunk, so that however it ends the client is told in the event
 * shape it parses; a JSON body goes to the client natively and is metered from a copy.
 */
export function meteredBody(upstream: ReadableStream<Uint8Array>, options: MeteredBodyOptions) {
  return options.format === "sse"
    ? passedSseBody(upstream, options)
    : teedJsonBody(upstream, options);
}

/**
 * A timer that fires once the body has been silent for `timeoutMs`: one timer per idle
 * period rather than one per chunk.
 */
function idleWatchdog(timeoutMs: number, onIdle: () => void) {
  let lastChunkAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (delay: number) => {
    timer = setTimeout(() => {
      const quiet = Date.now() - lastChunkAt;
      if (quiet < timeoutMs) return arm(timeoutMs - quiet);
      onIdle();
    }, delay);
  };
  arm(timeoutMs);
  return {
    /** A chunk arrived now; returns the time. */
    touch(): number {
      lastChunkAt = Date.now();
      return lastChunkAt;
    },
    stop: () => clearTimeout(timer),
  };
}

/**
 * A JSON body reaches the client through a tee, with no JavaScript on its way: a JSON body
 * cut short is invalid JSON to the client, so there is nothing the gateway needs to add to
 * it. The other branch is metered (and detects a cut or a silent upstream).
 */
function teedJsonBody(upstream: ReadableStream<Uint8Array>, options: MeteredBodyOptions) {
  const [body, copy] = upstream.tee();
  const reader = copy.getReader();
  const meter = new JsonMeter();
  let idleEnded = false;
  const watchdog = idleWatchdog(options.idleTimeoutMs, () => {
    idleEnded = true;
    options.abortUpstream();
    reader.cancel().catch(() => {});
  });
  const outcome = (async (): Promise<BodyOutcome> => {
    let ttfbMs: number | undefined;
    let end: StreamEnd = "upstream_cut";
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) {
          end = idleEnded ? "idle_timeout" : "complete";
          break;
        }
        ttfbMs ??= watchdog.touch() - options.startedAt;
        watchdog.touch();
        meter.push(chunk.value);
      }
    } catch {
      end = idleEnded ? "idle_timeout" : "upstream_cut";
    }
    watchdog.stop();
    return { end, ...meter.result(), ttfbMs, endedAt: Date.now() };
  })();
  return { body, outcome };
}

/**
 * An SSE stream is handed on chunk by chunk from the gateway's own stream, never held back.
 * If the upstream is cut or falls silent, the client gets an SSE `error` event saying so
 * before the stream closes: passed on natively, a cut stream would reach the client as a
 * clean, silently truncated end.
 */
function passedSseBody(upstream: ReadableStream<Uint8Array>, options: MeteredBodyOptions) {
  const reader = upstream.getReader();
  const meter = new SseMeter();
  let ttfbMs: number | undefined;
  let finished = false;
  let resolveOutcome: (o: BodyOutcome) => void = () => {};
  const outcome = new Promise<BodyOutcome>((resolve) => {
    resolveOutcome = resolve;
  });

  let idleEnded = false;
  const watchdog = idleWatchdog(options.idleTimeoutMs, () => {
    idleEnded = true;
    options.abortUpstream();
    reader.cancel().catch(() => {});
  });

  const finish = (end: StreamEnd) => {
    if (finished) return;
    finished = true;
    watchdog.stop();
    const metered = meter.result();
    resolveOutcome({ end, ...metered, ttfbMs, endedAt: Date.now() });
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          chunk = { done: true, value: undefined };
          if (!idleEnded) return endCut(controller, "upstream_cut");
        }
        if (idleEnded) return endCut(controller, "idle_timeout");
        if (chunk.done) {
          controller.close();
          return finish(meter.sawEnd() ? "complete" : "upstream_cut");
        }
        ttfbMs ??= watchdog.touch() - options.startedAt;
        watchdog.touch();
        meter.push(chunk.value);
        controller.enqueue(chunk.value);
      },
      cancel() {
        options.abortUpstream();
        reader.cancel().catch(() => {});
        finish("client_gone");
      },
    },
    { highWaterMark: 0 },
  );

  function endCut(controller: ReadableStreamDefaultController<Uint8Array>, end: StreamEnd) {
    // The client learns why its stream stopped, in the event shape it already parses.
    const message =
      end === "idle_timeout"
        ? "The gateway closed the stream: the provider sent nothing for too long."
        : "The connection to the provider was cut mid-stream.";
    const type = end === "idle_timeout" ? "timeout_error" : "api_error";
    const event = { type: "error", error: { type, message } };
    controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify(event)}\n\n`));
    controller.close();
    finish(end);
  }

  return { body, outcome };
}

interface Meter {
  push(chunk: Uint8Array): void;
  /** Whether the body ended the way a complete response ends. */
  sawEnd(): boolean;
  result(): Pick<BodyOutcome, "usage" | "model" | "errorType">;
}

class SseMeter implements Meter {
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
    return { usage: { ...m.usage }, model: m.model, errorType: m.errorType };
  }
}

class JsonMeter implements Meter {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  push(chunk: Uint8Array) {
    // Past the limit the body still flows to the client; only metering stops keeping bytes.
    if (this.#size + chunk.byteLength > JSON_METER_LIMIT) return;
    this.#chunks.push(chunk.slice());
    this.#size += chunk.byteLength;
  }

  sawEnd() {
    return true;
  }

  result() {
    const text = new TextDecoder().decode(concat(this.#chunks, this.#size));
    const message = usageFromMessageJson(text);
    if (message) return { usage: message.usage, model: message.model, errorType: undefined };
    return { usage: { ...ZERO_USAGE }, model: undefined, errorType: errorTypeOf(text) };
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
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

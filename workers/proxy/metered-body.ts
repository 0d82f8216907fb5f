// The response body the client reads: the upstream's bytes, passed on as they arrive (never
// re-serialised, never held back), while usage is metered on the side. Whatever way the body
// ends (completed, cut by the upstream, idle too long, or abandoned by the client),
// `outcome` resolves exactly once with what was metered so far.
import type { Usage } from "../../shared/usage";
import { GatewayError } from "../errors";
import {
  concat,
  JSON_METER_LIMIT,
  JsonMeter,
  type Meter,
  meterJson,
  SseMeter,
} from "./body-meters";
import { whenClientGone } from "./client-gone";

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
  /** Aborts when the client has gone (the incoming request's signal). */
  clientSignal?: AbortSignal;
}

/** Largest JSON body read whole before it goes to the client. */
const JSON_WHOLE_LIMIT = JSON_METER_LIMIT;
const encoder = new TextEncoder();

/**
 * A JSON body is read whole (up to JSON_WHOLE_LIMIT) before it goes to the client: a client
 * can do nothing with part of a JSON document, and handing the runtime finished bytes costs
 * far less than feeding it a stream. If the upstream cuts the body or falls silent first, the
 * client gets a clear 502 or 504 instead of a truncated document (BodyCutError). A body that
 * grows past the limit is passed on as it arrives, after what was read.
 */
export async function jsonBody(
  upstream: Response,
  options: MeteredBodyOptions,
): Promise<{ body: Uint8Array | ReadableStream<Uint8Array>; outcome: Promise<BodyOutcome> }> {
  // A declared length within the limit is read by the runtime in one call.
  const declared = Number(upstream.headers.get("content-length") ?? Number.NaN);
  if (declared <= JSON_WHOLE_LIMIT) {
    let idleEnded = false;
    const watchdog = idleWatchdog(options.idleTimeoutMs, () => {
      idleEnded = true;
      options.abortUpstream();
    });
    try {
      const bytes = new Uint8Array(await upstream.arrayBuffer());
      return whole(bytes, Date.now() - options.startedAt);
    } catch {
      throw new BodyCutError(idleEnded ? "idle_timeout" : "upstream_cut", undefined);
    } finally {
      watchdog.stop();
    }
  }

  if (!upstream.body) return whole(new Uint8Array(0), undefined);
  const reader = upstream.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ttfbMs: number | undefined;
  let idleEnded = false;
  let cut = false;
  const watchdog = idleWatchdog(options.idleTimeoutMs, () => {
    idleEnded = true;
    options.abortUpstream();
    reader.cancel().catch(() => {});
  });
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      const at = watchdog.touch();
      ttfbMs ??= at - options.startedAt;
      chunks.push(chunk.value);
      size += chunk.value.byteLength;
      if (size > JSON_WHOLE_LIMIT) {
        watchdog.stop();
        const meter = new JsonMeter();
        for (const c of chunks) meter.push(c);
        return passedBody(reader, meter, { ...options, format: "json" }, chunks, ttfbMs);
      }
    }
  } catch {
    cut = true;
  }
  watchdog.stop();
  // A silent upstream's read ends when the watchdog cancels it, whichever way it ends.
  if (idleEnded) throw new BodyCutError("idle_timeout", ttfbMs);
  if (cut) throw new BodyCutError("upstream_cut", ttfbMs);
  return whole(concat(chunks, size), ttfbMs);
}

/** A whole JSON body, metered once the response is on its way. */
function whole(bytes: Uint8Array, ttfbMs: number | undefined) {
  const endedAt = Date.now();
  const outcome = Promise.resolve().then(
    (): BodyOutcome => ({ end: "complete", ...meterJson(bytes), ttfbMs, endedAt }),
  );
  return { body: bytes, outcome };
}

/** Thrown by jsonBody when the upstream stopped before the body was whole. */
export class BodyCutError extends GatewayError {
  constructor(
    readonly end: "upstream_cut" | "idle_timeout",
    readonly ttfbMs: number | undefined,
  ) {
    super(
      end === "idle_timeout" ? 504 : 502,
      end === "idle_timeout"
        ? "The provider sent nothing for too long in the middle of its response."
        : "The connection to the provider was cut before its response was complete.",
    );
  }
}

/**
 * An SSE stream is handed on chunk by chunk from the gateway's own stream, never held back,
 * and metered as it passes.
 */
export function meteredStream(upstream: ReadableStream<Uint8Array>, options: MeteredBodyOptions) {
  return passedBody(upstream.getReader(), new SseMeter(), options, [], undefined);
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

/** How far the gateway reads ahead of a client that is slower than the provider. */
const READ_AHEAD_BYTES = 64 * 1024;

/**
 * The body passed on through the gateway's own stream, chunk by chunk as it arrives (after
 * `first`, chunks already read).
 *
 * The upstream is read by the gateway's own loop, not by the client's pulls, up to
 * READ_AHEAD_BYTES ahead of the client: a request ends, settles and logs once whether or not
 * the runtime ever tells the stream that its client went away. When the client goes (its
 * request's signal, or the stream cancelled), an SSE upstream is aborted at once (the provider
 * stops generating) and the request settles with what was metered so far; a JSON body is still
 * read to its end, since the provider has already billed all of it.
 *
 * If the upstream is cut, falls silent, or ends without the event that ends a message, an SSE
 * client gets an `error` event saying so before the stream closes (a truncated stream that
 * simply ended would look complete to it); a JSON body is errored.
 */
function passedBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  meter: Meter,
  options: MeteredBodyOptions,
  first: readonly Uint8Array[],
  firstTtfbMs: number | undefined,
) {
  let ttfbMs = firstTtfbMs;
  let finished = false;
  let clientGone = false;
  /** Set while the loop waits for the client to read what is queued. */
  let resumeReading: (() => void) | undefined;
  let resolveOutcome: (o: BodyOutcome) => void = () => {};
  const outcome = new Promise<BodyOutcome>((resolve) => {
    resolveOutcome = resolve;
  });
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  const stopUpstream = () => {
    options.abortUpstream();
    reader.cancel().catch(() => {});
  };
  const wake = () => {
    const resume = resumeReading;
    resumeReading = undefined;
    resume?.();
  };

  const finish = (end: StreamEnd) => {
    if (finished) return;
    finished = true;
    watchdog.stop();
    unsubscribe();
    wake();
    resolveOutcome({ end, ...meter.result(), ttfbMs, endedAt: Date.now() });
  };

  const clientLeft = () => {
    if (finished || clientGone) return;
    clientGone = true;
    wake();
    // A JSON body is drained by the loop below, to meter what the provider billed.
    if (options.format === "json") return;
    stopUpstream();
    finish("client_gone");
  };

  const endCut = (end: "upstream_cut" | "idle_timeout") => {
    if (!clientGone && controller) {
      try {
        if (options.format === "sse") {
          controller.enqueue(errorEvent(end));
          controller.close();
        } else {
          controller.error(new Error("upstream cut"));
        }
      } catch {
        // The client's side is already closed.
      }
    }
    finish(end);
  };

  const watchdog = idleWatchdog(options.idleTimeoutMs, () => {
    // Waiting on a client that stopped reading for that long: treat it as gone.
    if (resumeReading) return clientLeft();
    stopUpstream();
    endCut("idle_timeout");
  });
  const unsubscribe = whenClientGone(options.clientSignal, clientLeft);

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        for (const chunk of first) c.enqueue(chunk);
      },
      pull: wake,
      cancel: clientLeft,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: READ_AHEAD_BYTES }),
  );

  const pass = (chunk: Uint8Array) => {
    if (clientGone || !controller) return;
    try {
      controller.enqueue(chunk);
    } catch {
      return clientLeft();
    }
    ttfbMs ??= Date.now() - options.startedAt;
  };

  const readLoop = async () => {
    while (!finished) {
      // Null once the client's side has errored: the next pass() finds the client gone.
      const room = controller?.desiredSize ?? null;
      if (!clientGone && room !== null && room <= 0) {
        await new Promise<void>((resolve) => {
          resumeReading = resolve;
        });
        watchdog.touch();
        continue;
      }
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        endCut("upstream_cut");
        return;
      }
      if (finished) return;
      if (chunk.done) {
        if (!meter.sawEnd()) return endCut("upstream_cut");
        if (!clientGone) controller?.close();
        return finish(clientGone ? "client_gone" : "complete");
      }
      watchdog.touch();
      meter.push(chunk.value);
      pass(chunk.value);
    }
  };
  readLoop().catch(() => endCut("upstream_cut"));

  return { body, outcome };
}

function errorEvent(end: "upstream_cut" | "idle_timeout"): Uint8Array {
  // The client learns why its stream stopped, in the event shape it already parses.
  const error =
    end === "idle_timeout"
      ? {
          type: "timeout_error",
          message: "The gateway closed the stream: the provider sent nothing for too long.",
        }
      : {
          type: "api_error",
          message: "The provider's stream was cut before its message was complete.",
        };
  return encoder.encode(`event: error\ndata: ${JSON.stringify({ type: "error", error })}\n\n`);
}

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
  meterJson,
  SseMeter,
  withCapture,
} from "./body-meters";
import type { BodyCapture } from "./captured-content";
import { idleWatchdog } from "./idle-watchdog";
import { passedBody } from "./passed-body";

export type StreamEnd = "complete" | "upstream_cut" | "idle_timeout" | "client_gone";

export interface BodyOutcome {
  end: StreamEnd;
  usage: Usage;
  model: string | undefined;
  /** Error type from the body: an SSE `error` event or a JSON error response. */
  errorType: string | undefined;
  /** The provider's message id and stop reason, when the body had them. */
  messageId?: string | undefined;
  stopReason?: string | undefined;
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
  /** Copies the body's first bytes aside, while the organisation captures content. */
  capture?: BodyCapture | undefined;
}

/** Largest JSON body read whole before it goes to the client. */
const JSON_WHOLE_LIMIT = JSON_METER_LIMIT;

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
      options.capture?.push(bytes);
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
        const meter = withCapture(new JsonMeter(), options.capture);
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
  const bytes = concat(chunks, size);
  options.capture?.push(bytes);
  return whole(bytes, ttfbMs);
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
  const meter = withCapture(new SseMeter(), options.capture);
  return passedBody(upstream.getReader(), meter, options, [], undefined);
}

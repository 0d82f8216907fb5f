// A body passed on to the client through the gateway's own stream, read by the gateway's own
// loop: the SSE path, and JSON bodies too large to read whole.
import type { Meter } from "./body-meters";
import { whenClientGone } from "./client-gone";
import { idleWatchdog } from "./idle-watchdog";
import type { BodyOutcome, MeteredBodyOptions, StreamEnd } from "./metered-body";

const encoder = new TextEncoder();

/** How far the gateway reads ahead of a client that is slower than the provider. */
const READ_AHEAD = new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 });

/**
 * The body passed on through the gateway's own stream, chunk by chunk as it arrives (after
 * `first`, chunks already read).
 *
 * The upstream is read by the gateway's own loop, not by the client's pulls, up to
 * 64 KiB (READ_AHEAD) ahead of the client: a request ends, settles and logs once whether or not
 * the runtime ever tells the stream that its client went away. When the client goes (its
 * request's signal, or the stream cancelled), an SSE upstream is aborted at once (the provider
 * stops generating) and the request settles with what was metered so far; a JSON body is still
 * read to its end, since the provider has already billed all of it.
 *
 * If the upstream is cut, falls silent, or ends without the event that ends a message, an SSE
 * client gets an `error` event saying so before the stream closes (a truncated stream that
 * simply ended would look complete to it); a JSON body is errored.
 */
export function passedBody(
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
  /**
   * The stream's pending pull. Kept pending while the loop runs, so the stream does not call
   * `pull` after every chunk (a JS call and a promise each); released when the loop has to wait,
   * so the client's next read calls `pull` and resumes it.
   */
  let parkedPull: (() => void) | undefined;
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
  const releasePull = () => {
    const release = parkedPull;
    parkedPull = undefined;
    release?.();
  };

  const finish = (end: StreamEnd) => {
    if (finished) return;
    finished = true;
    watchdog.stop();
    unsubscribe();
    wake();
    releasePull();
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
      pull() {
        if (resumeReading) return wake();
        return new Promise<void>((resolve) => {
          parkedPull = resolve;
        });
      },
      cancel: clientLeft,
    },
    READ_AHEAD,
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
          releasePull();
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

// Which traces leave: parent-based, then by trace-id ratio. A client that sent a `traceparent`
// without the sampled flag has decided for the whole trace; otherwise the trace id's low 56
// bits (random in W3C trace ids) are compared with ratio × 2^56, the way OpenTelemetry's
// TraceIdRatioBased sampler does, so every span of one trace (an LLM request, the MCP tool call
// it led to, the next LLM request) is kept or dropped alike, whichever batch it comes in.

const LOW_56_BITS = 2 ** 56;

/** The client's sampled flag from a `traceparent`; undefined when there is none to read. */
export function parentSampled(traceparent: string | undefined): boolean | undefined {
  const flags = traceparent?.split("-")[3];
  if (!flags || !/^[\da-f]{2}$/i.test(flags)) return undefined;
  return (Number.parseInt(flags, 16) & 1) === 1;
}

/** Whether `ratio` (0..1) keeps the trace with this 32-hex-digit id. */
export function ratioKeeps(traceId: string, ratio: number): boolean {
  if (!(ratio > 0)) return false;
  if (ratio >= 1) return true;
  const low = BigInt(`0x${traceId.slice(-14)}`);
  return low < BigInt(Math.floor(ratio * LOW_56_BITS));
}

export interface SamplingInput {
  traceId: string;
  traceparent?: string | undefined;
}

/**
 * The trace ids kept out of a batch. A trace is dropped whole when any of its messages carries
 * an unsampled parent flag, so one trace never leaves half exported.
 */
export function sampledTraces(traces: readonly SamplingInput[], ratio: number): Set<string> {
  const unsampled = new Set<string>();
  for (const t of traces) if (parentSampled(t.traceparent) === false) unsampled.add(t.traceId);
  const kept = new Set<string>();
  for (const { traceId } of traces) {
    if (!unsampled.has(traceId) && ratioKeeps(traceId, ratio)) kept.add(traceId);
  }
  return kept;
}

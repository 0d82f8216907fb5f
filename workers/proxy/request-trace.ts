// What a proxied request tells about its timing: the Server-Timing header the client sees (the
// gateway's own time beside the provider's time to first byte), and the span facts its
// telemetry message carries for the trace exported from the queue consumer.
import { hostAndPort } from "../../shared/host-and-port";
import type { SpanFacts } from "../telemetry/message";
import type { TraceContext } from "../telemetry/trace-context";
import type { RequestFacts, ResultFacts } from "./log-row";

/** When the upstream call started and when its response headers came. */
export interface Timings {
  upstreamStartedAt?: number;
  upstreamHeadersAt?: number;
}

/** `Server-Timing`: the gateway's own time and, when there was one, the upstream's first byte. */
export function timingHeader(gatewayMs: number, timings: Timings = {}): string {
  const parts = [`gatehouse;dur=${gatewayMs};desc="Gateway"`];
  const { upstreamStartedAt, upstreamHeadersAt } = timings;
  if (upstreamStartedAt !== undefined && upstreamHeadersAt !== undefined) {
    parts.push(`upstream;dur=${upstreamHeadersAt - upstreamStartedAt};desc="Upstream first byte"`);
  }
  return parts.join(", ");
}

export function spanFacts(
  facts: RequestFacts & Timings & { trace: TraceContext; maxTokens?: number },
  result: ResultFacts,
  extra: {
    upstreamUrl: string;
    teamIds: readonly string[] | undefined;
    limitDecision: NonNullable<SpanFacts["limitDecision"]>;
    content: SpanFacts["content"] | undefined;
  },
): SpanFacts {
  const { trace } = facts;
  const called = facts.upstreamStartedAt !== undefined;
  return {
    startedAt: facts.startedAt,
    endedAt: result.endedAt,
    traceparent: trace.traceparent,
    maxTokens: facts.maxTokens,
    spanId: trace.spanId,
    clientSpanId: called ? trace.clientSpanId : undefined,
    upstreamStartedAt: facts.upstreamStartedAt,
    upstreamEndedAt: called ? result.endedAt : undefined,
    ...(called ? hostAndPort(extra.upstreamUrl) : {}),
    responseId: result.messageId,
    finishReasons: result.stopReason ? [result.stopReason] : undefined,
    teamIds: extra.teamIds ? [...extra.teamIds] : undefined,
    limitDecision: extra.limitDecision,
    content: extra.content,
  };
}

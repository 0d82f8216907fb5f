// W3C trace context for a request the gateway handles: the client's trace when it sent a
// `traceparent`, else a new one. The SERVER span (the inbound request) and the CLIENT span (the
// call upstream) get their ids here, at the start, because the CLIENT span's id travels
// upstream in `traceparent` before either span is exported from the queue consumer.
import { traceparentOf } from "./message";

export interface TraceContext {
  traceId: string;
  /** The client's span, when it sent a `traceparent`: the SERVER span's parent. */
  parentSpanId?: string;
  /** The client's sampled flag; true when it sent none. */
  sampled: boolean;
  spanId: string;
  clientSpanId: string;
  /** The client's `traceparent` as it came. */
  traceparent?: string;
}

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  return out;
}

export function startTrace(headers: Headers): TraceContext {
  return traceFrom(traceparentOf(headers));
}

/** A trace under `traceparent` (already validated), or a new one. */
export function traceFrom(traceparent: string | undefined): TraceContext {
  const spanId = randomHex(8);
  const clientSpanId = randomHex(8);
  if (!traceparent) return { traceId: randomHex(16), sampled: true, spanId, clientSpanId };
  const [, traceId = "", parentSpanId = "", flags = "01"] = traceparent.split("-");
  const sampled = (Number.parseInt(flags, 16) & 1) === 1;
  return { traceId, parentSpanId, sampled, spanId, clientSpanId, traceparent };
}

/** The `traceparent` sent upstream: the CLIENT span is the upstream's parent. */
export function upstreamTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.clientSpanId}-${trace.sampled ? "01" : "00"}`;
}

const CONVERSATION_HEADER = "x-archestra-session-id";
const CONVERSATION_MAX = 200;
/** Claude Code's `metadata.user_id` ends in `_session_<uuid>`: the conversation's id. */
const SESSION_IN_USER_ID = /_session_([\w-]{8,100})$/;

/**
 * `gen_ai.conversation.id`: the `X-Archestra-Session-Id` header, else the session a Messages
 * request's `metadata.user_id` carries (Claude Code's form), else none.
 */
export function conversationIdOf(headers: Headers, metadataUserId?: unknown): string | undefined {
  const header = headers.get(CONVERSATION_HEADER)?.trim();
  if (header) return header.slice(0, CONVERSATION_MAX);
  if (typeof metadataUserId !== "string") return undefined;
  return SESSION_IN_USER_ID.exec(metadataUserId)?.[1];
}

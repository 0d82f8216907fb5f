// One OTLP/HTTP POST to a collector and what it means for the payload: delivered (2xx), worth
// retrying (408, 429, 5xx, a timeout or a network failure) or refused for good (any other
// answer: bad credentials, a wrong path). The collector's answer is kept as a short excerpt for
// the Settings page, with the exporter's own header values blanked out in case it echoes them.
import type { OtlpPayload } from "./payloads";

/** How long one export may take; a collector slower than this counts as down. */
export const EXPORT_TIMEOUT_MS = 5_000;
/** The most of a collector's answer kept to show (the test button and the last error). */
export const ANSWER_EXCERPT_BYTES = 2_048;

export interface Collector {
  endpoint: string;
  headers: Readonly<Record<string, string>>;
}

export type DeliveryOutcome =
  | { kind: "delivered"; status: number; body: string; durationMs: number }
  | { kind: "retry" | "refused"; status: number; body: string; durationMs: number }
  /** No answer: the connection failed or the collector was too slow. */
  | { kind: "unreachable"; status: null; body: string; durationMs: number };

/** The collector's URL for a signal: `<endpoint>/v1/traces` or `<endpoint>/v1/metrics`. */
export function signalUrl(endpoint: string, signal: OtlpPayload["signal"]): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/${signal}`;
}

/** Posts one payload; never throws. */
export async function postPayload(
  collector: Collector,
  payload: Pick<OtlpPayload, "signal" | "contentType" | "body">,
  timeoutMs = EXPORT_TIMEOUT_MS,
): Promise<DeliveryOutcome> {
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(signalUrl(collector.endpoint, payload.signal), {
      method: "POST",
      headers: { ...collector.headers, "content-type": payload.contentType },
      body: payload.body,
      // A redirect would carry the headers somewhere else: it is reported, not followed.
      redirect: "manual",
      signal,
    });
  } catch (err) {
    const durationMs = Date.now() - started;
    return {
      kind: "unreachable",
      status: null,
      body: failureText(err, signal, timeoutMs),
      durationMs,
    };
  }
  let body: string;
  try {
    body = await excerpt(res, signal);
  } catch (err) {
    // The answer's status arrived but its body did not, in time: the status still decides.
    body = `(the collector's answer was cut off: ${failureText(err, signal, timeoutMs)})`;
  }
  const durationMs = Date.now() - started;
  const text = blankSecrets(body, collector.headers);
  const status = res.status;
  if (status >= 200 && status < 300) return { kind: "delivered", status, body: text, durationMs };
  const location = res.headers.get("location");
  const answer =
    status >= 300 && status < 400 && location && !text ? `Redirects to ${location}` : text;
  return { kind: retryable(status) ? "retry" : "refused", status, body: answer, durationMs };
}

/** 408, 429 and 5xx may succeed later (OTLP/HTTP's retryable answers); other ones will not. */
export function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The first ANSWER_EXCERPT_BYTES of the body, as text; the rest is not read. */
async function excerpt(res: Response, signal: AbortSignal): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {});
  try {
    while (size < ANSWER_EXCERPT_BYTES) {
      const next = await Promise.race([reader.read(), aborted]);
      if (next.done) break;
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, ANSWER_EXCERPT_BYTES));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  // A cut multi-byte character becomes U+FFFD rather than an error.
  return new TextDecoder().decode(bytes);
}

/** The exporter's own header values never come back, even from a collector that echoes them. */
function blankSecrets(text: string, headers: Readonly<Record<string, string>>): string {
  let out = text;
  for (const value of Object.values(headers)) {
    if (value.length >= 4) out = out.split(value).join("[redacted]");
  }
  return out;
}

/** Why there was no answer, in words (never an error class name or a stack). */
function failureText(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) {
    return `The collector did not answer within ${timeoutMs / 1000} s.`;
  }
  const detail = err instanceof Error ? err.message : String(err);
  const words = detail
    .replace(/\b[A-Z]\w*Error\b:?\s*/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 300);
  return words
    ? `The collector could not be reached: ${words}`
    : "The collector could not be reached.";
}

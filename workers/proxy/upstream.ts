// Calls the provider. Request headers are forwarded except the ones that are the gateway's
// business (its own credentials and labels, hop-by-hop and edge headers); the credential the
// admission chose is put in. The response headers come back the same way.
import { GatewayError } from "../errors";
import { type TraceContext, upstreamTraceparent } from "../telemetry/trace-context";
import type { Admission } from "./admission";
import { ClientGoneError, whenClientGone } from "./client-gone";

/** Headers that never go upstream: by exact name, or by prefix (the `-*` entries). */
const DROP_REQUEST = dropRule([
  "host",
  "authorization",
  "x-api-key",
  "cookie",
  "content-length",
  "accept-encoding",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
  "proxy-connection",
  "x-real-ip",
  "true-client-ip",
  "origin",
  "referer",
  "x-archestra-*",
  "cf-*",
  "x-forwarded-*",
  "sec-*",
]);

/** Headers of the provider's response that never reach the client. */
const DROP_RESPONSE = dropRule([
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "set-cookie",
  "alt-svc",
  "cf-*",
]);

/** One regular expression for a list of lower-case names and `prefix-*` patterns. */
function dropRule(names: readonly string[]): RegExp {
  const alternatives = names.map((n) =>
    n.endsWith("*") ? `${escapeRegExp(n.slice(0, -1))}.*` : escapeRegExp(n),
  );
  return new RegExp(`^(?:${alternatives.join("|")})$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A copy of `headers` without the dropped ones. Copying and deleting the few dropped names is
 * cheaper than setting each kept header one by one (every call crosses into the runtime).
 */
function filtered(headers: Headers, drop: RegExp): Headers {
  const out = new Headers(headers);
  for (const name of headers.keys()) {
    if (drop.test(name)) out.delete(name);
  }
  return out;
}

/** The headers sent upstream; `traceparent` names the gateway's CLIENT span as the parent. */
export function upstreamHeaders(
  incoming: Headers,
  admission: Admission,
  trace: TraceContext,
): Headers {
  const out = filtered(incoming, DROP_REQUEST);
  const { header, value } = admission.upstream;
  out.set(header, value);
  out.set("traceparent", upstreamTraceparent(trace));
  return out;
}

export function clientHeaders(upstream: Headers, requestId: string): Headers {
  const out = filtered(upstream, DROP_RESPONSE);
  out.set("x-gatehouse-request-id", requestId);
  return out;
}

export interface UpstreamCall {
  response: Response;
  /** Aborts the request (and so its body) if it is still running. */
  abort: () => void;
}

/**
 * Fetches from the provider, waiting at most `timeoutMs` for the response headers.
 * Unreachable → 502 api_error; no headers in time → 504 timeout_error; the client gone first
 * (`clientSignal`) → the fetch is aborted and ClientGoneError thrown.
 */
export async function callUpstream(
  url: string,
  init: { method: string; headers: Headers; body?: ArrayBuffer },
  timeoutMs: number,
  clientSignal?: AbortSignal,
): Promise<UpstreamCall> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  let timedOut = false;
  let clientGone = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, timeoutMs);
  const unsubscribe = whenClientGone(clientSignal, () => {
    clientGone = true;
    abort();
  });
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    return { response, abort };
  } catch {
    if (clientGone) throw new ClientGoneError();
    if (timedOut) {
      throw new GatewayError(504, "The provider did not answer in time.");
    }
    throw new GatewayError(502, "The gateway could not reach the provider.");
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
}

// The client going away. Workers learn it from the incoming request's signal (the
// `enable_request_signal` compatibility flag), which fires when the client's connection
// closes: before the provider has answered, during a silent stretch of a stream, or mid-way.
// Without it, a silent upstream would keep the provider generating (and billing) and the
// request's reservation held until the gateway's own timeout.
import { GatewayError } from "../errors";

/** Status logged for a request whose client left before its answer began (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;

/** Thrown where the gateway was waiting when the client left; the request is still logged. */
export class ClientGoneError extends GatewayError {
  constructor() {
    super(CLIENT_CLOSED_STATUS, "The client closed the request before its answer began.");
  }
}

/** Calls `onGone` once when `signal` aborts (at once if it already has); returns the unsubscribe. */
export function whenClientGone(signal: AbortSignal | undefined, onGone: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    onGone();
    return () => {};
  }
  signal.addEventListener("abort", onGone, { once: true });
  return () => signal.removeEventListener("abort", onGone);
}

// Which headers cross the gateway: the gateway's own and hop-by-hop ones never do.

import { describe, expect, it } from "vitest";
import type { Admission } from "../../workers/proxy/admission";
import { clientHeaders, upstreamHeaders } from "../../workers/proxy/upstream";
import { startTrace } from "../../workers/telemetry/trace-context";

const admission = {
  upstream: { baseUrl: "https://api.anthropic.test", header: "x-api-key", value: "sk-provider" },
} as Admission;

describe("headers", () => {
  it("sends the client's headers upstream without the gateway's, the edge's or hop-by-hop ones", () => {
    const incoming = new Headers({
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "tools-2025",
      "content-type": "application/json",
      "user-agent": "claude-desktop",
      "x-api-key": "arch_client_key",
      authorization: "Bearer arch_client_key",
      "x-archestra-virtual-key": "arch_passthrough",
      "x-archestra-agent-id": "desktop",
      "cf-connecting-ip": "203.0.113.9",
      "x-forwarded-for": "203.0.113.9",
      "sec-fetch-mode": "cors",
      cookie: "session=1",
      host: "gw.test",
      "content-length": "42",
      "accept-encoding": "gzip",
      origin: "https://gw.test",
      "x-cf-like-but-not": "kept",
      "secret-header": "kept",
    });
    const trace = startTrace(incoming);
    const sent = Object.fromEntries(upstreamHeaders(incoming, admission, trace));
    expect(sent).toEqual({
      traceparent: `00-${trace.traceId}-${trace.clientSpanId}-01`,
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "tools-2025",
      "content-type": "application/json",
      "user-agent": "claude-desktop",
      "x-api-key": "sk-provider",
      "x-cf-like-but-not": "kept",
      "secret-header": "kept",
    });
  });

  it("gives the client the provider's headers without hop-by-hop, cookie or edge ones", () => {
    const upstream = new Headers({
      "content-type": "application/json",
      "request-id": "req_1",
      "anthropic-ratelimit-requests-remaining": "99",
      "content-length": "10",
      "set-cookie": "a=b",
      "cf-ray": "abc",
      "alt-svc": "h3",
    });
    expect(Object.fromEntries(clientHeaders(upstream, "req_gw"))).toEqual({
      "content-type": "application/json",
      "request-id": "req_1",
      "anthropic-ratelimit-requests-remaining": "99",
      "x-gatehouse-request-id": "req_gw",
    });
  });
});

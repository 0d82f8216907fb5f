// What a proxied request tells about its trace and timing: the Server-Timing header, the
// traceparent the provider gets, and the trace id, conversation id, added time and (while the
// organisation captures content) the prompt and completion its log row keeps.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type Admin, admin, call, fakeRequests, profileHeaders, proxyWithKey } from "./helpers";

let a: Admin;
let proxyId: string;
let headers: Record<string, string>;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  ({ headers } = await profileHeaders(a, proxyId));
});

const ask = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 16,
    messages: [{ role: "user", content: text }],
    ...extra,
  });

interface StoredRow {
  trace_id: string | null;
  conversation_id: string | null;
  overhead_ms: number | null;
  duration_ms: number;
}

function storedRow(requestId: string): Promise<StoredRow> {
  return vi.waitFor(
    async () => {
      const row = await env.DB.prepare(
        "SELECT trace_id, conversation_id, overhead_ms, duration_ms FROM llm_requests WHERE id = ?",
      )
        .bind(requestId)
        .first<StoredRow>();
      if (!row) throw new Error(`no row yet for ${requestId}`);
      return row;
    },
    { timeout: 10_000, interval: 25 },
  );
}

async function providerSaw(traceId: string) {
  const seen = await fakeRequests();
  return seen.find((r) => r.headers.traceparent?.includes(traceId));
}

function serverTiming(res: Response): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (res.headers.get("server-timing") ?? "").split(",")) {
    const [name, ...params] = part.trim().split(";");
    const dur = params.find((p) => p.startsWith("dur="));
    if (name && dur) out[name] = Number(dur.slice(4));
  }
  return out;
}

describe("trace context", () => {
  it("makes the client's traceparent the parent and hands the provider the gateway's own span", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const clientSpan = "00f067aa0ba902b7";
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: {
        ...headers,
        traceparent: `00-${traceId}-${clientSpan}-01`,
        "x-archestra-session-id": "conv-desktop-1",
      },
      body: ask("hi"),
    });
    expect(res.status).toBe(200);
    await res.text();
    const seen = await providerSaw(traceId);
    const [, sentTrace, sentParent, flags] = seen?.headers.traceparent?.split("-") ?? [];
    expect(sentTrace).toBe(traceId);
    expect(sentParent).toMatch(/^[\da-f]{16}$/);
    expect(sentParent).not.toBe(clientSpan);
    expect(flags).toBe("01");
    const row = await storedRow(res.headers.get("x-gatehouse-request-id") ?? "");
    expect(row.trace_id).toBe(traceId);
    expect(row.conversation_id).toBe("conv-desktop-1");
  });

  it("starts a trace when the client sent none, and reads Claude Code's session as the conversation", async () => {
    const session = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body: ask("hello", { metadata: { user_id: `user_abc_account_def_session_${session}` } }),
    });
    await res.text();
    const row = await storedRow(res.headers.get("x-gatehouse-request-id") ?? "");
    expect(row.trace_id).toMatch(/^[\da-f]{32}$/);
    expect(row.conversation_id).toBe(session);
    const seen = await providerSaw(row.trace_id ?? "none");
    expect(seen, "the provider got the gateway's trace").toBeDefined();
  });

  it("ignores a malformed or all-zero traceparent rather than failing the request", async () => {
    for (const traceparent of ["garbage", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`]) {
      const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
        method: "POST",
        headers: { ...headers, traceparent },
        body: ask("hi"),
      });
      expect(res.status).toBe(200);
      await res.text();
      const row = await storedRow(res.headers.get("x-gatehouse-request-id") ?? "");
      expect(row.trace_id).toMatch(/^[\da-f]{32}$/);
      expect(row.trace_id).not.toBe("0".repeat(32));
    }
  });
});

describe("Server-Timing", () => {
  it("tells the gateway's time and the provider's first byte apart, and logs the same added time", async () => {
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body: ask("hi", { stream: true }),
    });
    await res.text();
    const timing = serverTiming(res);
    expect(timing.gatehouse).toBeGreaterThanOrEqual(0);
    expect(timing.upstream).toBeGreaterThanOrEqual(0);
    const row = await storedRow(res.headers.get("x-gatehouse-request-id") ?? "");
    expect(row.overhead_ms).toBe(timing.gatehouse);
    expect(row.overhead_ms ?? 0).toBeLessThanOrEqual(row.duration_ms);
  });

  it("is on refusals too, all of it the gateway's", async () => {
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: { ...headers, "x-api-key": "arch_not_a_real_key_000000000000" },
      body: ask("hi"),
    });
    expect(res.status).toBe(401);
    const timing = serverTiming(res);
    expect(timing.gatehouse).toBeGreaterThanOrEqual(0);
    expect(timing.upstream).toBeUndefined();
  });
});

describe("content capture", () => {
  interface Payload {
    request: string | null;
    response: string | null;
  }

  async function payloadOf(requestId: string) {
    return env.DB.prepare("SELECT request, response FROM llm_payloads WHERE request_id = ?")
      .bind(requestId)
      .first<Payload>();
  }

  it("keeps nothing while capture is off", async () => {
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers,
      body: ask("private words"),
    });
    await res.text();
    const id = res.headers.get("x-gatehouse-request-id") ?? "";
    await storedRow(id);
    expect(await payloadOf(id)).toBeNull();
  });

  it("keeps the prompt and the streamed completion, redacted, once capture is on", async () => {
    await env.DB.prepare("UPDATE organisations SET capture_content = 1").run();
    // The proxy learns the switch with its organisation's revision, within seconds.
    const payload = await vi.waitFor(
      async () => {
        const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
          method: "POST",
          headers,
          body: ask("my key is sk-ant-api03-leaked-secret-value-123 please", { stream: true }),
        });
        await res.text();
        const id = res.headers.get("x-gatehouse-request-id") ?? "";
        await storedRow(id);
        const found = await payloadOf(id);
        if (!found) throw new Error("not captured yet");
        return found;
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(payload.request).toContain("please");
    expect(payload.request).not.toContain("leaked-secret-value");
    const completion = JSON.parse(payload.response ?? "{}");
    expect(completion.content?.[0]?.type).toBe("text");
    expect(typeof completion.content?.[0]?.text).toBe("string");
    expect(completion.content[0].text.length).toBeGreaterThan(0);
    await env.DB.prepare("UPDATE organisations SET capture_content = 0").run();
  }, 40_000);
});

// Streams under time and faults: events are not held back, and every ending settles usage.
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  type Admin,
  admin,
  call,
  fakeRequests,
  profileHeaders,
  proxyWithKey,
  resetFake,
} from "./helpers";
import { loggedRow } from "./logs";

let a: Admin;
let proxyId: string;
let headers: Record<string, string>;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  ({ headers } = await profileHeaders(a, proxyId));
});

/** A Messages request whose fake scenario is `marker`. */
function ask(marker: string, { stream = false, maxTokens = 64, agentId = "" } = {}) {
  return call(`/v1/anthropic/${proxyId}/v1/messages`, {
    method: "POST",
    headers: withAgent(agentId),
    body: JSON.stringify({
      model: "claude-haiku-4-5-20251001",
      max_tokens: maxTokens,
      stream,
      messages: [{ role: "user", content: `tell me ${marker}` }],
    }),
  });
}

const stream = (marker: string) => ask(marker, { stream: true });

/** The profile's headers, with another agent id when one is given (to find the log row). */
function withAgent(agentId: string): Headers {
  const out = new Headers(headers);
  if (agentId) out.set("x-archestra-agent-id", agentId);
  return out;
}

/** Reads a response body, noting when each SSE event's bytes arrived. */
async function readEvents(res: Response) {
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  const arrivals: { at: number; events: number }[] = [];
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = decoder.decode(value, { stream: true });
    text += chunk;
    arrivals.push({ at: performance.now(), events: chunk.split("\n\n").length - 1 });
  }
  return { text, arrivals };
}

describe("timing", () => {
  it("hands each event on as the upstream sends it", async () => {
    const started = performance.now();
    const { text, arrivals } = await readEvents(await stream("[fake:slow:150]"));
    expect(text).toContain("event: message_stop");
    // The fake waits 150 ms before each event after the first: if the gateway buffered, the
    // events would arrive together at the end. Each must instead arrive on its own.
    const eventArrivals = arrivals.filter((x) => x.events > 0);
    expect(eventArrivals.length).toBeGreaterThanOrEqual(8);
    expect(eventArrivals.every((x) => x.events === 1)).toBe(true);
    const gaps = eventArrivals.slice(1).map((x, i) => x.at - (eventArrivals[i]?.at ?? 0));
    console.log(`inter-event gaps (ms): ${gaps.map((g) => g.toFixed(0)).join(", ")}`);
    expect(Math.min(...gaps)).toBeGreaterThan(100);
    // The first event reached the client well before the stream ended.
    const first = eventArrivals[0]?.at ?? 0;
    expect(first - started).toBeLessThan((eventArrivals.at(-1)?.at ?? 0) - started - 900);
  });
});

describe("endings", () => {
  it("an upstream cut mid-stream gives the client an SSE error event and settles usage", async () => {
    const { text } = await readEvents(await stream("[fake:cut]"));
    expect(text).toContain("event: message_start");
    expect(text.trimEnd().split("\n\n").at(-1)).toMatch(
      /^event: error\ndata: \{"type":"error","error":\{"type":"api_error"/,
    );
    const { row } = await loggedRow(a, `user:${a.userId}`, (r) => r.errorType === "upstream_cut");
    expect(row).toMatchObject({ inputTokens: 12, streamed: true, clientGone: false });
  });

  it("a silent upstream is closed with a timeout_error event", async () => {
    const { text } = await readEvents(await stream("[fake:hang-stream]"));
    expect(text).toContain('"type":"timeout_error"');
  });

  it("a client that goes away aborts the upstream request and still settles usage", async () => {
    await resetFake();
    const res = await stream("[fake:slow:300]");
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain("message_start");
    await reader?.cancel();
    await vi.waitFor(async () => {
      const [seen] = await fakeRequests();
      expect(seen?.aborted).toBe(true);
    });
    const { row } = await loggedRow(a, `user:${a.userId}`, (r) => r.clientGone);
    expect(row).toMatchObject({ inputTokens: 12, errorType: null });
  });
});

describe("non-streaming bodies", () => {
  it("a JSON body over a mebibyte is passed on whole and still metered", async () => {
    const res = await ask("[fake:many:200000]", { maxTokens: 200_000 });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const message = JSON.parse(text) as { usage: { output_tokens: number } };
    expect(message.usage.output_tokens).toBe(200_000);
    const { row } = await loggedRow(a, `user:${a.userId}`, (r) => r.outputTokens === 200_000);
    expect(row).toMatchObject({ status: 200, errorType: null, streamed: false });
  });

  it.each([
    ["of declared length", "[fake:cut-body]"],
    ["of unknown length", "[fake:cut-body-chunked]"],
  ])(
    "a JSON body %s cut mid-way reaches the client as a 502, not as a truncated document",
    async (_, marker) => {
      const agentId = `cut-${marker}`;
      const res = await ask(marker, { agentId });
      expect(res.status).toBe(502);
      const body = await res.json<{ type: string; error: { type: string; message: string } }>();
      expect(body.error).toMatchObject({
        type: "api_error",
        message: expect.stringMatching(/cut/),
      });
      const { row } = await loggedRow(a, `user:${a.userId}`, (r) => r.agentId === agentId);
      expect(row).toMatchObject({
        status: 502,
        errorType: "upstream_cut",
        streamed: false,
        inputTokens: 0,
        clientGone: false,
      });
    },
  );

  it("a JSON body that stops arriving ends in a 504 once the upstream timeout passes", async () => {
    const res = await ask("[fake:hang-body]");
    expect(res.status).toBe(504);
    expect((await res.json<{ error: { type: string } }>()).error.type).toBe("timeout_error");
    const { row } = await loggedRow(
      a,
      `user:${a.userId}`,
      (r) => !r.streamed && r.errorType === "idle_timeout",
    );
    expect(row.status).toBe(504);
  });
});

describe("error events from the provider", () => {
  it("forwards a mid-stream error event and records its type", async () => {
    const { text } = await readEvents(await stream("[fake:error-midstream]"));
    expect(text).toContain('"type":"overloaded_error"');
    const { row } = await loggedRow(
      a,
      `user:${a.userId}`,
      (r) => r.errorType === "overloaded_error",
    );
    expect(row.status).toBe(200);
  });
});

// Every way a proxied request can end, each with a budget in force: exactly one log row, the
// usage the provider reported so far, and the reservation released as soon as it ends (not when
// the hold expires or the gateway's own timeout passes).
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import { type Admin, admin, fakeRequests, ORIGIN, profileHeaders, proxyWithKey } from "./helpers";
import { type LogRow, loggedRow } from "./logs";

let a: Admin;
let proxyId: string;
let headers: Record<string, string>;
let budgetId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  ({ headers } = await profileHeaders(a, proxyId));
  const limit = await a.json<{ id: string }>("/limits", {
    body: {
      name: "Budget",
      scope: "user",
      scopeId: a.userId,
      metric: "cost",
      window: "month",
      amountUsd: 100,
    },
  });
  budgetId = limit.id;
});

let seq = 0;

/**
 * Starts a Messages request whose fake scenario is `marker`, tagged so its row can be found.
 * With `clientSignal`, the request goes straight to the Worker's entry carrying that signal as
 * its own: what workerd gives a Worker whose client disconnects (`request.signal`, the
 * `enable_request_signal` flag). The test pool's SELF.fetch does not pass a caller's abort on.
 */
function start(marker: string, { stream = true, clientSignal, maxTokens = 64 }: Start = {}) {
  const tag = `ending-${++seq}`;
  const withTag = new Headers(headers);
  withTag.set("x-archestra-agent-id", tag);
  const request = new Request<unknown, IncomingRequestCfProperties>(
    `${ORIGIN}/v1/anthropic/${proxyId}/v1/messages`,
    {
      method: "POST",
      headers: withTag,
      body: JSON.stringify({
        model: "claude-haiku-4-5-20251001",
        max_tokens: maxTokens,
        stream,
        messages: [{ role: "user", content: `${tag} ${marker}` }],
      }),
      ...(clientSignal ? { signal: clientSignal } : {}),
    },
  );
  if (!clientSignal) return { tag, response: SELF.fetch(request) };
  const ctx = createExecutionContext();
  const response = Promise.resolve(worker.fetch(request, env, ctx));
  // The work the Worker left running after its answer (settling, logging) must finish too.
  return { tag, response, background: response.finally(() => waitOnExecutionContext(ctx)) };
}

interface Start {
  stream?: boolean;
  maxTokens?: number;
  clientSignal?: AbortSignal;
}

/** The fake's record of the tagged request, once it has one that satisfies `ready`. */
async function providerSide(tag: string, ready: (r: { aborted: boolean }) => boolean = () => true) {
  return vi.waitFor(
    async () => {
      const seen = (await fakeRequests()).find((r) => r.body.includes(`${tag} `));
      if (!seen || !ready(seen)) throw new Error(`the fake has not seen ${tag} yet`);
      return seen;
    },
    { timeout: 5000, interval: 20 },
  );
}

/** The request's one row (asserting there is exactly one), and the budget's hold after it. */
async function settled(tag: string): Promise<LogRow> {
  const { rows } = await loggedRow(a, `user:${a.userId}`, (r) => r.agentId === tag);
  const mine = rows.filter((r) => r.agentId === tag);
  expect(mine).toHaveLength(1);
  const { usage } = await a.json<{ usage: { reserved: number } }>(`/limits/${budgetId}`);
  expect(usage.reserved, "the request's reservation is released").toBe(0);
  return mine[0] as LogRow;
}

async function readAll(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

/** Reads SSE events until `count` have arrived; returns the reader to go on with. */
async function readEvents(res: Response, count: number) {
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  let text = "";
  while (text.split("\n\n").length - 1 < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return { reader, text };
}

const lastEvent = (text: string) => text.trimEnd().split("\n\n").at(-1) ?? "";

describe("each ending leaves one row, its usage and no hold", () => {
  it("completed", async () => {
    const { tag, response } = start("[fake:drip:3:0]");
    const text = await readAll(await response);
    expect(lastEvent(text)).toMatch(/^event: message_stop/);
    expect(await settled(tag)).toMatchObject({
      status: 200,
      errorType: null,
      clientGone: false,
      inputTokens: 12,
      outputTokens: 3,
    });
  });

  it("client gone before the provider's headers: the provider call is aborted at once", async () => {
    const client = new AbortController();
    const { tag, response, background } = start("[fake:hang]", { clientSignal: client.signal });
    await providerSide(tag);
    client.abort();
    await providerSide(tag, (r) => r.aborted);
    expect((await response).status).toBe(499);
    await background;
    expect(await settled(tag)).toMatchObject({
      status: 499,
      errorType: "client_gone",
      clientGone: true,
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  it("client gone mid-stream: the provider call is aborted, usage so far is kept", async () => {
    const { tag, response } = start("[fake:drip:40:20]");
    const { reader } = await readEvents(await response, 4);
    await reader.cancel();
    await providerSide(tag, (r) => r.aborted);
    expect(await settled(tag)).toMatchObject({
      status: 200,
      errorType: null,
      clientGone: true,
      inputTokens: 12,
      outputTokens: 1,
    });
  });

  it("client gone while the provider is silent: aborted at once, not at the idle timeout", async () => {
    const client = new AbortController();
    const { tag, response, background } = start("[fake:hang-stream]", {
      clientSignal: client.signal,
    });
    const { text } = await readEvents(await response, 1);
    expect(text).toContain("message_start");
    client.abort();
    await providerSide(tag, (r) => r.aborted);
    await background;
    expect(await settled(tag)).toMatchObject({
      status: 200,
      // Not idle_timeout: the gateway learnt the client had gone.
      errorType: null,
      clientGone: true,
      inputTokens: 12,
    });
  });

  it("upstream cut mid-stream: the client gets an error event", async () => {
    const { tag, response } = start("[fake:cut]");
    const text = await readAll(await response);
    expect(lastEvent(text)).toMatch(
      /^event: error\ndata: \{"type":"error","error":\{"type":"api_error"/,
    );
    expect(await settled(tag)).toMatchObject({
      status: 200,
      errorType: "upstream_cut",
      clientGone: false,
      inputTokens: 12,
    });
  });

  it("clean end without message_stop: the client gets the same error event as for a cut", async () => {
    const cut = start("[fake:cut]");
    const cutEvent = lastEvent(await readAll(await cut.response));
    const { tag, response } = start("[fake:no-stop]");
    const text = await readAll(await response);
    expect(text).toContain("event: message_delta");
    expect(text).not.toContain("event: message_stop");
    expect(lastEvent(text)).toBe(cutEvent);
    expect(await settled(tag)).toMatchObject({
      status: 200,
      errorType: "upstream_cut",
      inputTokens: 12,
      outputTokens: 3,
    });
    await settled(cut.tag);
  });

  it("an error event from the provider is passed on and recorded", async () => {
    const { tag, response } = start("[fake:error-midstream]");
    const text = await readAll(await response);
    expect(lastEvent(text)).toContain('"type":"overloaded_error"');
    expect(await settled(tag)).toMatchObject({
      status: 200,
      errorType: "overloaded_error",
      inputTokens: 12,
    });
  });

  it.each([500, 529])("the provider's %i passes through", async (code) => {
    const { tag, response } = start(`[fake:status:${code}]`);
    const res = await response;
    expect(res.status).toBe(code);
    await res.arrayBuffer();
    expect(await settled(tag)).toMatchObject({ status: code, inputTokens: 0, clientGone: false });
  });

  it("a provider that never answers ends in a 504 at the gateway's timeout", async () => {
    const { tag, response } = start("[fake:hang]");
    const res = await response;
    expect(res.status).toBe(504);
    await res.arrayBuffer();
    expect(await settled(tag)).toMatchObject({
      status: 504,
      errorType: "timeout_error",
      clientGone: false,
    });
  });

  it("a client slower than the provider gets every byte, the gateway reading ahead of it", async () => {
    const { tag, response } = start("[fake:many:4000]", { maxTokens: 4000 });
    const reader = (await response).body?.getReader();
    if (!reader) throw new Error("no body");
    const decoder = new TextDecoder();
    let text = "";
    for (let chunks = 1; ; chunks++) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      // Lets the provider's ~400 KB outrun the gateway's 64 KiB read-ahead.
      if (chunks % 8 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(text.split("event: content_block_delta").length - 1).toBe(4000);
    expect(lastEvent(text)).toMatch(/^event: message_stop/);
    expect(await settled(tag)).toMatchObject({ status: 200, outputTokens: 4000 });
  });

  it("a client that stops reading is taken as gone at the idle timeout, not held forever", async () => {
    const { tag, response } = start("[fake:many:100000]", { maxTokens: 100_000 });
    const reader = (await response).body?.getReader();
    await reader?.read();
    // Reads nothing more: ~10 MB fill what lies between (the gateway's 64 KiB read-ahead and
    // the runtime's buffers), and the gateway then waits for a client that never reads.
    await providerSide(tag, (r) => r.aborted);
    expect(await settled(tag)).toMatchObject({
      status: 200,
      errorType: null,
      clientGone: true,
      inputTokens: 12,
    });
    await reader?.cancel();
  }, 30_000);

  it("a JSON answer the client leaves is still read to its end: the provider billed all of it", async () => {
    const { tag, response } = start("[fake:many:200000]", { stream: false, maxTokens: 200_000 });
    const reader = (await response).body?.getReader();
    // Past a mebibyte the body is passed on as it comes; the client takes a chunk and leaves.
    await reader?.read();
    await reader?.cancel();
    expect(await settled(tag)).toMatchObject({
      status: 200,
      clientGone: true,
      outputTokens: 200_000,
    });
    expect((await providerSide(tag)).aborted).toBe(false);
  });

  it("a JSON answer completes with its usage", async () => {
    const { tag, response } = start("[fake:cache]", { stream: false });
    const res = await response;
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(await settled(tag)).toMatchObject({
      status: 200,
      cacheReadTokens: 200,
      cacheWrite5mTokens: 60,
      cacheWrite1hTokens: 40,
    });
  });
});

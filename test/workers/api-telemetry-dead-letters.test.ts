// /api/telemetry/dead-letters: what admins see of the telemetry messages the consumer could not
// store, and sending them again. A message of an unknown shape is dead-lettered for real by the
// queue consumer; messages that failed for other reasons (D1 refusing them, the queue giving
// up) are kept the way the consumer keeps them (dead-letters.ts), as those take minutes of
// backoff to happen for real.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { LlmRequestRow } from "../../d1/schema";
import type {
  AllDeadLettersRetried,
  DeadLetterDetail,
  DeadLetterPage,
  DeadLetterView,
} from "../../shared/api-types";
import worker from "../../workers/index";
import { deadLetterOf, deadLetterStatement } from "../../workers/telemetry/dead-letters";
import { llmRequestMessage } from "../../workers/telemetry/message";
import { expectApiError, rows } from "./api-helpers";
import { type Admin, admin, createUser, ORIGIN } from "./helpers";
import { type LogRow, loggedRow } from "./logs";

type User = Awaited<ReturnType<typeof createUser>>;

let a: Admin;
let member: User;
let editor: User;
let seq = 0;

beforeAll(async () => {
  a = await admin();
  member = await createUser(a, "mo@acme.test");
  editor = await createUser(a, "eddie@acme.test", "editor");
});

const WAIT = { timeout: 10_000, interval: 25 };

/** A log row of the admin's organisation, with a model no other test uses. */
function llmRow(model: string, over: Partial<LlmRequestRow> = {}): LlmRequestRow {
  const now = Date.now();
  return {
    id: `req_dead_${++seq}_${now}`,
    orgId: a.orgId,
    createdAt: now,
    proxyId: "prx_dead_letters",
    endpoint: "messages",
    userId: a.userId,
    virtualKeyId: null,
    passthroughKeyId: null,
    credential: "direct",
    billingMode: "metered",
    agentId: "dead-letter-test",
    model,
    streamed: false,
    status: 200,
    errorType: null,
    inputTokens: 11,
    outputTokens: 7,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 0,
    costMicroUsd: 5,
    listCostMicroUsd: 5,
    ttfbMs: 3,
    durationMs: 9,
    clientGone: false,
    upstreamRequestId: null,
    ...over,
  };
}

const message = (row: LlmRequestRow) =>
  llmRequestMessage(row, { startedAt: row.createdAt, endedAt: row.createdAt + row.durationMs });

/** Keeps dead letters exactly as the consumer does; returns their ids. */
async function keep(
  letters: { body: unknown; reason?: string; failedAt?: number; id?: string }[],
): Promise<string[]> {
  const kept = letters.map((l) =>
    deadLetterOf(
      {
        id: l.id ?? `msg${++seq}${crypto.randomUUID().replaceAll("-", "")}`,
        body: l.body,
        attempts: 5,
      },
      l.reason ?? "D1 refused it: D1_ERROR: database is locked",
      l.failedAt,
    ),
  );
  await env.DB.batch([deadLetterStatement(env.DB, kept)]);
  return kept.map((l) => l.id);
}

const list = (query = "") => a.json<DeadLetterPage>(`/telemetry/dead-letters${query}`);

async function everyPage(limit: number): Promise<{ items: DeadLetterView[]; totals: number[] }> {
  const items: DeadLetterView[] = [];
  const totals: number[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page = await list(`?limit=${limit}${after}`);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    items.push(...page.data);
    totals.push(page.total);
    cursor = page.nextCursor;
  }
  return { items, totals };
}

/** The visible dead letters, read from D1 itself, newest first. */
const visibleIds = async () =>
  (
    await rows<{ id: string }>(
      "SELECT id FROM telemetry_dead_letters WHERE org_id = ? OR org_id IS NULL ORDER BY failed_at DESC, id DESC",
      a.orgId,
    )
  ).map((r) => r.id);

async function usageRequests(model: string): Promise<number> {
  const { data } = await a.json<{ data: { requests: number }[] }>(
    `/usage?groupBy=model&model=${encodeURIComponent(model)}`,
  );
  return data.reduce((n, r) => n + r.requests, 0);
}

const logRowsOf = async (model: string) =>
  (await a.json<{ data: LogRow[] }>(`/logs/llm?model=${encodeURIComponent(model)}&limit=200`)).data;

/** An unknown message sent after others: once it is a dead letter, the queue got past them. */
async function drainQueue(): Promise<void> {
  const marker = `drain-${++seq}`;
  await env.TELEMETRY.send({ v: 99, marker }, { contentType: "json" });
  await vi.waitFor(async () => {
    const [found] = await rows(
      "SELECT id FROM telemetry_dead_letters WHERE body LIKE ?",
      `%${marker}%`,
    );
    expect(found, `the consumer has not seen ${marker} yet`).toBeDefined();
  }, WAIT);
}

/** A request straight to the Worker's entry, with `TELEMETRY` replaced by `queue`. */
async function withQueue(queue: Queue, method: string, path: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request<unknown, IncomingRequestCfProperties>(`${ORIGIN}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${a.token}` },
    }),
    { ...env, TELEMETRY: queue },
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return new Response(text, { status: res.status, headers: res.headers });
}

const refusingQueue: Queue = {
  metrics: () => env.TELEMETRY.metrics(),
  send: () => Promise.reject(new Error("Queue send failed: queue is overloaded")),
  sendBatch: () => Promise.reject(new Error("Queue sendBatch failed: queue is overloaded")),
};

describe("a message the consumer cannot read", () => {
  it("is kept with its reason and listed with a summary, its body only on its own", async () => {
    const probe = `probe-${Date.now()}`;
    await env.TELEMETRY.send({ v: 99, probe }, { contentType: "json" });
    const item = await vi.waitFor(async () => {
      const { data } = await list();
      const found = data.find((d) => d.summary.includes("version 99") && d.kind === "unknown");
      if (!found) throw new Error("the consumer has not dead-lettered the message yet");
      return found;
    }, WAIT);

    expect(item).toEqual({
      id: expect.any(String),
      kind: "unknown",
      rowId: null,
      reason: expect.stringMatching(/not a telemetry message of version 1 \(version 99\)/),
      attempts: 1,
      failedAt: expect.any(Number),
      summary: "version 99 · fields v, probe",
    });
    expect(Date.now() - item.failedAt).toBeLessThan(60_000);
    const page = await list();
    expect(page.total).toBe(page.data.length);
    expect(JSON.stringify(page)).not.toContain(probe);

    const detail = await a.json<DeadLetterDetail>(`/telemetry/dead-letters/${item.id}`);
    expect(detail).toEqual({ ...item, body: { v: 99, probe } });
  });
});

describe("the list", () => {
  it("pages newest first with a cursor, with the total, and shows no other organisation's", async () => {
    const base = Date.UTC(2026, 0, 1);
    const mine = await keep(
      [0, 1, 2, 3, 4].map((i) => ({
        body: message(llmRow("claude-page-test", { status: 500 + i })),
        failedAt: base + i,
      })),
    );
    // Two failed in the same millisecond: the id breaks the tie.
    const tied = await keep([
      { body: { v: 2 }, failedAt: base + 2, id: "msg-tie-a" },
      { body: { v: 2 }, failedAt: base + 2, id: "msg-tie-b" },
    ]);
    const [elsewhere] = await keep([
      { body: message(llmRow("claude-page-test", { orgId: "org_elsewhere" })), failedAt: base + 9 },
    ]);

    const expected = await visibleIds();
    expect(expected).not.toContain(elsewhere);
    for (const limit of [1, 2, 3, 200]) {
      const { items, totals } = await everyPage(limit);
      expect(items.map((i) => i.id)).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    }
    const { items } = await everyPage(2);
    const order = items.map((i) => i.id).filter((id) => [...mine, ...tied].includes(id));
    const sameMs = [mine[2], ...tied].sort().reverse();
    expect(order).toEqual([mine[4], mine[3], ...sameMs, mine[1], mine[0]]);
    const newest = items.find((i) => i.id === mine[4]);
    expect(newest).toMatchObject({
      kind: "llm_request",
      summary: `claude-page-test · status 504 · user ${a.userId}`,
      reason: "D1 refused it: D1_ERROR: database is locked",
      attempts: 5,
      failedAt: base + 4,
    });
    expect(newest).not.toHaveProperty("body");

    // Another organisation's dead letter is not there for this caller in any way.
    await expectApiError(
      await a.api(`/telemetry/dead-letters/${elsewhere}`),
      404,
      "not_found_error",
    );
    await expectApiError(
      await a.api(`/telemetry/dead-letters/${elsewhere}/retry`, { method: "POST" }),
      404,
    );
    await expectApiError(
      await a.api(`/telemetry/dead-letters/${elsewhere}`, { method: "DELETE" }),
      404,
    );
  });

  it("refuses a cursor it did not give out, and limits out of range", async () => {
    for (const cursor of ["garbage!", btoa("no-colon"), btoa("abc:id"), btoa("123:"), "%"]) {
      await expectApiError(
        await a.api(`/telemetry/dead-letters?cursor=${encodeURIComponent(cursor)}`),
        400,
        "invalid_request_error",
        /cursor/,
      );
    }
    for (const limit of ["0", "201", "ten"]) {
      await expectApiError(await a.api(`/telemetry/dead-letters?limit=${limit}`), 400);
    }
  });

  it("answers 404 for an id nobody has, on every route", async () => {
    await expectApiError(await a.api("/telemetry/dead-letters/msg-nope"), 404, "not_found_error");
    await expectApiError(
      await a.api("/telemetry/dead-letters/msg-nope/retry", { method: "POST" }),
      404,
      "not_found_error",
    );
    await expectApiError(
      await a.api("/telemetry/dead-letters/msg-nope", { method: "DELETE" }),
      404,
      "not_found_error",
    );
  });
});

describe("who may", () => {
  it("refuses a member everything (403)", async () => {
    const [id] = await keep([{ body: { v: 3 } }]);
    await expectApiError(
      await member.api("/telemetry/dead-letters"),
      403,
      "permission_error",
      /log:read/,
    );
    await expectApiError(await member.api(`/telemetry/dead-letters/${id}`), 403);
    for (const path of [`/telemetry/dead-letters/${id}/retry`, "/telemetry/dead-letter-retries"]) {
      await expectApiError(
        await member.api(path, { method: "POST" }),
        403,
        "permission_error",
        /telemetry:update/,
      );
    }
    await expectApiError(
      await member.api(`/telemetry/dead-letters/${id}`, { method: "DELETE" }),
      403,
    );
    expect(await rows("SELECT id FROM telemetry_dead_letters WHERE id = ?", id)).toHaveLength(1);
  });

  it("lets an editor read dead letters but not retry or discard them", async () => {
    const [id] = await keep([{ body: { v: 4 } }]);
    const page = await editor.json<DeadLetterPage>("/telemetry/dead-letters");
    expect(page.data.map((d) => d.id)).toContain(id);
    await editor.json(`/telemetry/dead-letters/${id}`);
    await expectApiError(
      await editor.api(`/telemetry/dead-letters/${id}/retry`, { method: "POST" }),
      403,
      "permission_error",
      /telemetry:update/,
    );
    await expectApiError(
      await editor.api(`/telemetry/dead-letters/${id}`, { method: "DELETE" }),
      403,
    );
  });
});

describe("retrying", () => {
  it("stores a valid message once: its row is in the LLM log and counted once in usage", async () => {
    const model = `claude-retried-${Date.now()}`;
    const row = llmRow(model);
    // The same message kept twice (delivered twice, refused both times).
    const [first, second] = await keep([{ body: message(row) }, { body: message(row) }]);

    const res = await a.api(`/telemetry/dead-letters/${first}/retry`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ retried: 1 });
    await expectApiError(await a.api(`/telemetry/dead-letters/${first}`), 404);
    const { row: logged } = await loggedRow(a, a.userId, (r) => r.id === row.id);
    expect(logged).toMatchObject({ model, inputTokens: 11, outputTokens: 7, costMicroUsd: 5 });

    const again = await a.api(`/telemetry/dead-letters/${second}/retry`, { method: "POST" });
    expect(again.status).toBe(202);
    await drainQueue();
    expect(await logRowsOf(model)).toHaveLength(1);
    expect(await usageRequests(model)).toBe(1);
    expect(await visibleIds()).not.toContain(second);
  });

  it("retries every waiting one in sendBatch-sized groups; unreadable ones come back", async () => {
    const model = `claude-retry-all-${Date.now()}`;
    const valid = Array.from({ length: 150 }, () => ({ body: message(llmRow(model)) }));
    // Five of ~60 KB: more than one sendBatch's worth of bytes together.
    const big = Array.from({ length: 5 }, (_, i) => ({
      body: { v: 98, big: i, pad: "x".repeat(60_000) },
    }));
    // Nothing still on its way to become a dead letter while this counts them.
    await drainQueue();
    await keep([...valid, ...big]);
    const [elsewhere] = await keep([{ body: message(llmRow(model, { orgId: "org_elsewhere" })) }]);
    const before = await visibleIds();
    expect(before.length).toBeGreaterThanOrEqual(155);
    expect(before).not.toContain(elsewhere);

    const res = await a.api("/telemetry/dead-letter-retries", { method: "POST" });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as AllDeadLettersRetried;
    expect(answer).toEqual({ retried: before.length, remaining: 0 });

    await vi.waitFor(async () => expect(await usageRequests(model)).toBe(150), WAIT);
    await drainQueue();
    expect(await usageRequests(model)).toBe(150);
    // What cannot be read is kept again, as new dead letters; the valid ones are gone for good.
    const now = await list("?limit=200");
    expect(now.data.some((d) => before.includes(d.id))).toBe(false);
    expect(now.data.filter((d) => d.summary.startsWith("version 98"))).toHaveLength(5);
    expect(now.data.every((d) => d.kind === "unknown")).toBe(true);
    // Another organisation's was left alone.
    expect(
      await rows("SELECT id FROM telemetry_dead_letters WHERE id = ?", elsewhere),
    ).toHaveLength(1);
  });

  it("keeps the dead letter and answers 503 when the queue refuses", async () => {
    const model = `claude-refused-${Date.now()}`;
    const [id] = await keep([{ body: message(llmRow(model)) }]);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const one = await withQueue(refusingQueue, "POST", `/telemetry/dead-letters/${id}/retry`);
      await expectApiError(one, 503, "api_error", /queue did not take the message.*still kept/);
      const all = await withQueue(refusingQueue, "POST", "/telemetry/dead-letter-retries");
      await expectApiError(all, 503, "api_error", /stopped taking messages after 0 .*still kept/);
      expect(logged).toHaveBeenCalledWith(
        expect.stringMatching(/queue refused a dead letter retry/),
      );
    } finally {
      logged.mockRestore();
    }
    const kept = await a.json<DeadLetterDetail>(`/telemetry/dead-letters/${id}`);
    expect(kept.rowId).not.toBeNull();
    expect(await logRowsOf(model)).toEqual([]);

    // The queue takes it once it is back.
    const res = await a.api(`/telemetry/dead-letters/${id}/retry`, { method: "POST" });
    expect(res.status).toBe(202);
    await vi.waitFor(async () => expect(await logRowsOf(model)).toHaveLength(1), WAIT);
  });
});

describe("discarding", () => {
  it("removes one for good, and the audit log names it without its message", async () => {
    const marker = `payload-marker-${Date.now()}`;
    const [gone, retried] = await keep([
      { body: { v: 97, marker } },
      { body: message(llmRow(`claude-${marker}`)) },
    ]);
    const res = await a.api(`/telemetry/dead-letters/${gone}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    await expectApiError(await a.api(`/telemetry/dead-letters/${gone}`), 404);
    expect((await list("?limit=200")).data.map((d) => d.id)).not.toContain(gone);
    await a.api(`/telemetry/dead-letters/${retried}/retry`, { method: "POST" });

    const entries = await vi.waitFor(async () => {
      const found = await rows<{ action: string; resource_id: string; before: string | null }>(
        "SELECT * FROM audit_log WHERE resource_id IN (?, ?) ORDER BY at",
        gone,
        retried,
      );
      expect(found).toHaveLength(2);
      return found;
    }, WAIT);
    expect(entries.map((e) => [e.action, e.resource_id])).toEqual([
      ["telemetryDeadLetter.delete", gone],
      ["telemetryDeadLetter.retry", retried],
    ]);
    expect(JSON.parse(entries[0]?.before ?? "null")).toMatchObject({
      id: gone,
      kind: "unknown",
      summary: "version 97 · fields v, marker",
    });
    expect(JSON.stringify(entries)).not.toContain(marker);
  });
});

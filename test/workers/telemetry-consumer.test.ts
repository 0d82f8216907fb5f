// The telemetry queue's consumer, driven directly with batches as the queue delivers them:
// constant statements per batch, idempotent redelivery, and every fault ending with each row
// stored exactly once (or kept as a dead letter with its reason), never dropped.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { LlmRequestRow } from "../../d1/schema";
import worker from "../../workers/index";
import { DEAD_LETTER_QUEUE, MAX_ATTEMPTS, TELEMETRY_QUEUE } from "../../workers/telemetry/consume";
import { toolCallMessage } from "../../workers/telemetry/message";
import { committedThenGoneD1, countingD1, downD1 } from "./d1-faults";
import { admin } from "./helpers";
import { llmRow as baseRow, toolRow as baseToolRow, llmMessage } from "./telemetry-rows";

const ORG = "org_consumer";
let seq = 0;

const toolRow = (id: string) => baseToolRow(id, { orgId: ORG });

const llmRow = (id: string, over: Partial<LlmRequestRow> = {}) =>
  baseRow(id, { orgId: ORG, ...over });
const llm = llmMessage;

/** Delivers bodies as one batch (message ids `ids`, or fresh ones) and returns the outcome. */
async function deliver(
  bodies: unknown[],
  options: { ids?: string[]; attempts?: number; db?: D1Database; queue?: string } = {},
) {
  const ids = options.ids ?? bodies.map(() => `msg-${++seq}`);
  const batch = createMessageBatch(
    options.queue ?? TELEMETRY_QUEUE,
    bodies.map((body, i) => ({
      id: ids[i] ?? `msg-${++seq}`,
      timestamp: new Date(),
      attempts: options.attempts ?? 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, DB: options.db ?? env.DB }, ctx);
  const result = await getQueueResult(batch, ctx);
  return {
    ids,
    acked: result.explicitAcks,
    retried: result.retryMessages.map((m: { msgId: string }) => m.msgId),
  };
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number | null }>();
  return row?.n ?? 0;
}

const stored = (prefix: string) =>
  count("SELECT count(*) AS n FROM llm_requests WHERE id LIKE ?", `${prefix}%`);
const counted = (model: string) =>
  count("SELECT sum(requests) AS n FROM usage_daily WHERE org_id = ? AND model = ?", ORG, model);
const deadLetters = () =>
  env.DB.prepare("SELECT id, kind, row_id, reason FROM telemetry_dead_letters ORDER BY id").all<{
    id: string;
    kind: string;
    row_id: string | null;
    reason: string;
  }>();

afterEach(async () => {
  await env.DB.prepare("DROP TRIGGER IF EXISTS refuse_row").run();
});

describe("a batch", () => {
  it("is stored in a constant number of statements, each row counted once however often it is delivered", async () => {
    const rows = Array.from({ length: 100 }, (_, i) =>
      llmRow(`req_batch${i}`, { model: "m-batch" }),
    );
    const calls = Array.from({ length: 20 }, (_, i) => toolRow(`mcc_batch${i}`));
    const bodies = [
      ...rows.map(llm),
      ...calls.map((r) => toolCallMessage(r, { startedAt: r.at, endedAt: r.at })),
    ];
    const d1 = countingD1(env.DB);

    const first = await deliver(bodies, { db: d1.db });
    expect(first.acked.sort()).toEqual([...first.ids].sort());
    console.log(
      `120 messages (100 LLM rows, 20 tool calls): ${d1.statements()} D1 statements in ${d1.batches()} batch`,
    );
    expect(d1.statements()).toBe(4);
    expect(d1.batches()).toBe(1);
    expect(await stored("req_batch")).toBe(100);
    expect(await count("SELECT count(*) AS n FROM mcp_tool_calls WHERE id LIKE 'mcc_batch%'")).toBe(
      20,
    );
    expect(await counted("m-batch")).toBe(100);

    // Redelivered whole (the queue's at-least-once), and a row twice in one batch.
    const again = await deliver([...bodies, bodies[0]], { db: d1.db });
    expect(again.retried).toEqual([]);
    expect(await stored("req_batch")).toBe(100);
    expect(await counted("m-batch")).toBe(100);
    const cost = await count(
      "SELECT sum(cost_micro_usd) AS n FROM usage_daily WHERE org_id = ? AND model = 'm-batch'",
      ORG,
    );
    expect(cost).toBe(700);
  });

  it("moves its keys' last-used times forward, never back", async () => {
    const a = await admin();
    const { id } = await a.json<{ id: string }>("/virtual-keys", {
      body: { name: "touched", kind: "passthrough" },
    });
    const lastUsed = () => count("SELECT last_used_at AS n FROM virtual_keys WHERE id = ?", id);
    await deliver([
      llm(llmRow("req_touch1", { passthroughKeyId: id, createdAt: 9000 })),
      llm(llmRow("req_touch2", { passthroughKeyId: id, createdAt: 7000 })),
    ]);
    expect(await lastUsed()).toBe(9000);
    await deliver([llm(llmRow("req_touch3", { passthroughKeyId: id, createdAt: 6000 }))]);
    expect(await lastUsed()).toBe(9000);
  });
});

describe("bad input and faults", () => {
  it("keeps a message of unknown shape or version as a dead letter with its reason, and stores the rest", async () => {
    const good = [llmRow("req_shape1"), llmRow("req_shape2")].map(llm);
    const bodies = [
      good[0],
      { ...llm(llmRow("req_shape_v2")), v: 2 },
      "not even an object",
      { v: 1, kind: "llm_request", row: { id: "req_shape_partial" } },
      { v: 1, kind: "span", row: llmRow("req_shape_kind") },
      good[1],
    ];
    const { ids, acked, retried } = await deliver(bodies);
    expect(retried).toEqual([]);
    expect(acked.sort()).toEqual([...ids].sort());
    expect(await stored("req_shape")).toBe(2);
    const { results } = await deadLetters();
    const mine = results.filter((r) => ids.includes(r.id));
    expect(mine).toHaveLength(4);
    const byId = new Map(mine.map((r) => [r.id, r]));
    expect(byId.get(ids[1] as string)?.reason).toMatch(/version 2/);
    expect(byId.get(ids[1] as string)?.row_id).toBe("req_shape_v2");
    expect(byId.get(ids[2] as string)?.kind).toBe("unknown");
    expect(byId.get(ids[3] as string)?.reason).toMatch(/row\.orgId/);
    expect(byId.get(ids[4] as string)?.reason).toMatch(/kind/);
  });

  it("dead-letters the one row D1 refuses with D1's reason; the others land and are counted once", async () => {
    await env.DB.prepare(
      "CREATE TRIGGER refuse_row BEFORE INSERT ON llm_requests WHEN NEW.id = 'req_refuse_bad' BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END",
    ).run();
    const bodies = ["req_refuse1", "req_refuse_bad", "req_refuse2", "req_refuse3"].map((id) =>
      llm(llmRow(id, { model: "m-refuse" })),
    );
    const { ids, acked, retried } = await deliver(bodies);
    expect(retried).toEqual([]);
    expect(acked.sort()).toEqual([...ids].sort());
    expect(await stored("req_refuse")).toBe(3);
    expect(await counted("m-refuse")).toBe(3);
    const letter = (await deadLetters()).results.find((r) => r.id === ids[1]);
    expect(letter?.row_id).toBe("req_refuse_bad");
    expect(letter?.reason).toMatch(/refused by the test trigger/);
  });

  it("retries a lone message D1 refuses, and keeps it as a dead letter once it has failed too often", async () => {
    await env.DB.prepare(
      "CREATE TRIGGER refuse_row BEFORE INSERT ON llm_requests WHEN NEW.id = 'req_lone' BEGIN SELECT RAISE(ABORT, 'refused alone'); END",
    ).run();
    const body = llm(llmRow("req_lone"));
    const early = await deliver([body], { ids: ["msg-lone"], attempts: 1 });
    expect(early.retried).toEqual(["msg-lone"]);
    expect((await deadLetters()).results.some((r) => r.id === "msg-lone")).toBe(false);
    const last = await deliver([body], { ids: ["msg-lone"], attempts: MAX_ATTEMPTS });
    expect(last.acked).toEqual(["msg-lone"]);
    expect((await deadLetters()).results.find((r) => r.id === "msg-lone")?.reason).toMatch(
      /refused alone/,
    );
  });

  it("retries everything while D1 is down, dead-letters nothing, and stores all once D1 is back", async () => {
    const bodies = Array.from({ length: 30 }, (_, i) =>
      llm(llmRow(`req_down${i}`, { model: "m-down" })),
    );
    const before = (await deadLetters()).results.length;
    const down = await deliver(bodies, { db: downD1(env.DB), attempts: MAX_ATTEMPTS + 3 });
    expect(down.acked).toEqual([]);
    expect(down.retried.sort()).toEqual([...down.ids].sort());
    expect((await deadLetters()).results.length).toBe(before);
    expect(await stored("req_down")).toBe(0);

    const back = await deliver(bodies, { ids: down.ids, attempts: MAX_ATTEMPTS + 4 });
    expect(back.acked.sort()).toEqual([...down.ids].sort());
    expect(await stored("req_down")).toBe(30);
    expect(await counted("m-down")).toBe(30);
  });

  it("stores a batch once when the consumer died after D1 committed it and the queue redelivers", async () => {
    const bodies = Array.from({ length: 25 }, (_, i) =>
      llm(llmRow(`req_died${i}`, { model: "m-died" })),
    );
    const died = await deliver(bodies, { db: committedThenGoneD1(env.DB) });
    // The consumer could not know D1 had committed: it asks for every message again.
    expect(died.acked).toEqual([]);
    expect(died.retried.sort()).toEqual([...died.ids].sort());
    expect(await stored("req_died")).toBe(25);

    const redelivered = await deliver(bodies, { ids: died.ids, attempts: 2 });
    expect(redelivered.acked.sort()).toEqual([...died.ids].sort());
    expect(await stored("req_died")).toBe(25);
    expect(await counted("m-died")).toBe(25);
  });

  it("keeps what the queue gave up on (its dead-letter queue) with that reason", async () => {
    const body = llm(llmRow("req_gaveup"));
    const { acked } = await deliver([body], { ids: ["msg-gaveup"], queue: DEAD_LETTER_QUEUE });
    expect(acked).toEqual(["msg-gaveup"]);
    const letter = (await deadLetters()).results.find((r) => r.id === "msg-gaveup");
    expect(letter).toMatchObject({ kind: "llm_request", row_id: "req_gaveup" });
    expect(letter?.reason).toMatch(/gave up/);
    // Kept once, however often the dead-letter queue delivers it.
    await deliver([body], { ids: ["msg-gaveup"], queue: DEAD_LETTER_QUEUE });
    expect(
      await count("SELECT count(*) AS n FROM telemetry_dead_letters WHERE id = 'msg-gaveup'"),
    ).toBe(1);
  });
});

// The gate Durable Object on its own: durable log buffering, batched idempotent flushes, and
// revocations that outlive the object's in-memory state.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LlmRequestRow } from "../../d1/schema";

const gate = (name: string) => env.USER_GATE.get(env.USER_GATE.idFromName(name));

function row(id: string, createdAt = Date.now()): LlmRequestRow {
  return {
    id,
    orgId: "org_gate",
    createdAt,
    proxyId: "prx_gate",
    endpoint: "messages",
    userId: null,
    virtualKeyId: null,
    passthroughKeyId: null,
    credential: "direct",
    billingMode: "metered",
    agentId: null,
    model: "claude-haiku-4-5",
    streamed: false,
    status: 200,
    errorType: null,
    inputTokens: 1,
    outputTokens: 1,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 0,
    costMicroUsd: 6,
    ttfbMs: 1,
    durationMs: 2,
    clientGone: false,
    upstreamRequestId: null,
  };
}

async function loggedCount(): Promise<number> {
  const result = await env.DB.prepare(
    "SELECT count(*) AS n FROM llm_requests WHERE org_id = 'org_gate'",
  ).first<{ n: number }>();
  return result?.n ?? 0;
}

describe("log buffering", () => {
  it("keeps rows until the alarm flushes them all to D1, each row once", async () => {
    const stub = gate("user:batching");
    // More than two D1 batches' worth.
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => stub.settle({ row: row(`req_b${i}`) })),
    );
    // Settling the same request again (a retried waitUntil) must not log it twice.
    await stub.settle({ row: row("req_b0") });
    expect(await loggedCount()).toBe(0);

    const counts: number[] = [];
    while (await runDurableObjectAlarm(stub)) counts.push(await loggedCount());
    console.log(`rows in D1 after each alarm: ${counts.join(", ")}`);
    expect(counts).toEqual([120]);
    // Rolled up in the same batches, each row counted once despite the repeated settle.
    const rollup = await env.DB.prepare(
      "SELECT sum(requests) AS requests, sum(cost_micro_usd) AS cost FROM usage_daily WHERE org_id = 'org_gate'",
    ).first<{ requests: number; cost: number }>();
    expect(rollup).toEqual({ requests: 120, cost: 120 * 6 });
    const left = await runInDurableObject(stub, (_, state) =>
      state.storage.list({ prefix: "log:" }),
    );
    expect(left.size).toBe(0);
  });

  it("schedules a new flush for rows settled after an alarm ran", async () => {
    const stub = gate("user:later");
    await stub.settle({ row: row("req_l1") });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await stub.settle({ row: row("req_l2") });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const ids = await env.DB.prepare("SELECT id FROM llm_requests WHERE id LIKE 'req_l%'").all();
    expect(ids.results.map((r) => r.id).sort()).toEqual(["req_l1", "req_l2"]);
  });
});

describe("revocation", () => {
  it("refuses revoked keys, also after the object is rebuilt from storage", async () => {
    const stub = gate("user:revoking");
    expect(await stub.admit({ requestId: "r1", keyIds: ["vk_a", "vk_b"] })).toEqual({
      ok: true,
      views: [],
    });
    await stub.revoke(["vk_b"]);
    expect(await stub.admit({ requestId: "r2", keyIds: ["vk_a"] })).toEqual({
      ok: true,
      views: [],
    });
    expect(await stub.admit({ requestId: "r3", keyIds: ["vk_a", "vk_b"] })).toEqual({
      ok: false,
      revoked: true,
    });
    const stored = await runInDurableObject(stub, (_, state) =>
      state.storage.list({ prefix: "revoked:" }),
    );
    expect([...stored.keys()]).toEqual(["revoked:vk_b"]);
  });
});

describe("a row D1 refuses", () => {
  it("is set aside so the rows around it still reach D1", async () => {
    const stub = gate("user:poison");
    await stub.settle({ row: row("req_p1") });
    // A NULL in a NOT NULL column: D1 refuses this row whatever happens.
    await stub.settle({ row: { ...row("req_p2"), proxyId: null as unknown as string } });
    await stub.settle({ row: row("req_p3") });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const ids = await env.DB.prepare("SELECT id FROM llm_requests WHERE id LIKE 'req_p%'").all();
    expect(ids.results.map((r) => r.id).sort()).toEqual(["req_p1", "req_p3"]);
    const kept = await runInDurableObject(stub, (_, state) =>
      state.storage.list({ prefix: "dead:" }),
    );
    expect([...kept.keys()]).toEqual(["dead:req_p2"]);
    const left = await runInDurableObject(stub, (_, state) =>
      state.storage.list({ prefix: "log:" }),
    );
    expect(left.size).toBe(0);
  });
});

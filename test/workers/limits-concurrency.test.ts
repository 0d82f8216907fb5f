// Budgets and rate limits under a burst: 200 concurrent requests against limits with room for
// about 50. Admission reserves each request's worst case in the Durable Object that owns the
// limit, so the burst can never overshoot.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { invalidateOrgLimits } from "../../workers/limits/config-cache";
import { type Admin, admin, call, createUser, profileHeaders, proxyWithKey } from "./helpers";

let a: Admin;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
});

const BODY = JSON.stringify({
  model: "claude-haiku-4-5",
  max_tokens: 16,
  stream: true,
  // The fake spreads each stream over about a second, so every admission happens while all
  // reservations are still open: a check-then-add limiter would admit all 200.
  messages: [{ role: "user", content: "[fake:slow:150] burst" }],
});
const BYTES = new TextEncoder().encode(BODY).byteLength;
// Haiku 4.5: dearest input rate is the 1-hour cache write ($2/MTok), output $5/MTok.
const WORST_COST = Math.ceil((BYTES * 2_000_000 + 16 * 5_000_000) / 1_000_000);
const WORST_TOKENS = BYTES + 16;

async function addLimit(userId: string, metric: string, window: string, amount: number) {
  const id = `lim_${metric}_${userId}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO limits (id, org_id, name, scope, scope_id, metric, window, amount, created_at, updated_at)
     VALUES (?, ?, ?, 'user', ?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, a.orgId, `${metric} per ${window}`, userId, metric, window, amount, now, now)
    .run();
  invalidateOrgLimits(a.orgId);
  return id;
}

async function burst(headers: Record<string, string>, n: number) {
  const responses = await Promise.all(
    Array.from({ length: n }, () =>
      call(`/v1/anthropic/${proxyId}/v1/messages`, { method: "POST", headers, body: BODY }),
    ),
  );
  const bodies = await Promise.all(responses.map((r) => r.text()));
  return responses.map((r, i) => ({ status: r.status, headers: r.headers, body: bodies[i] ?? "" }));
}

async function settledRows(userId: string) {
  const gate = env.USER_GATE.get(env.USER_GATE.idFromName(`user:${userId}`));
  while (await runDurableObjectAlarm(gate)) {
    // drain every batch
  }
  const rows = await env.DB.prepare(
    "SELECT status, cost_micro_usd AS cost, input_tokens + output_tokens AS tokens FROM llm_requests WHERE user_id = ?",
  )
    .bind(userId)
    .all<{ status: number; cost: number; tokens: number }>();
  return rows.results;
}

describe("a cost budget with room for about 50 requests", () => {
  it("admits no more than it allows out of 200 concurrent requests", {
    timeout: 30_000,
  }, async () => {
    const member = await createUser(a, "burst-cost@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    const budget = WORST_COST * 50 + WORST_COST / 2;
    await addLimit(member.id, "cost", "day", budget);

    const results = await burst(headers, 200);
    const admitted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 402);
    expect(admitted.length + refused.length).toBe(200);
    const rows = await settledRows(member.id);
    const settled = rows.filter((r) => r.status === 200).reduce((sum, r) => sum + r.cost, 0);
    console.log(
      `cost budget ${budget} µ$, worst case ${WORST_COST} µ$/request: ${admitted.length} admitted, ${refused.length} refused (402), settled ${settled} µ$`,
    );
    // Admission never promised more than the budget: ⌊budget / worst case⌋ at once.
    expect(admitted.length).toBe(Math.floor(budget / WORST_COST));
    expect(settled).toBeLessThanOrEqual(budget);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(admitted.length);
    const sample = JSON.parse(refused[0]?.body ?? "{}");
    expect(sample.error.type).toBe("billing_error");
    expect(sample.error.message).toMatch(/Gatehouse blocked this request \(not the provider\)/);
    expect(sample.error.message).toMatch(/resets at \d{4}-\d\d-\d\dT/);
    expect(admitted[0]?.headers.get("x-gatehouse-limit-remaining")).toMatch(/^\$/);
  });
});

describe("a token rate limit with room for about 50 requests", () => {
  it("answers the rest with 429 and retry-after, and never passes the limit", {
    timeout: 30_000,
  }, async () => {
    const member = await createUser(a, "burst-tokens@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    const limit = WORST_TOKENS * 50;
    await addLimit(member.id, "tokens", "minute", limit);

    const results = await burst(headers, 200);
    const admitted = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(admitted.length + limited.length).toBe(200);
    const rows = await settledRows(member.id);
    const used = rows.filter((r) => r.status === 200).reduce((sum, r) => sum + r.tokens, 0);
    console.log(
      `token limit ${limit}/min, worst case ${WORST_TOKENS} tokens/request: ${admitted.length} admitted, ${limited.length} limited (429), settled ${used} tokens`,
    );
    expect(admitted.length).toBe(Math.floor(limit / WORST_TOKENS));
    expect(used).toBeLessThanOrEqual(limit);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.parse(limited[0]?.body ?? "{}").error.type).toBe("rate_limit_error");
  });
});

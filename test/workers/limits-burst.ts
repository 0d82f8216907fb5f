// Budgets and rate limits under a burst: 200 concurrent requests against limits with room for
// about 50. Admission reserves each request's worst case in the Durable Object that owns the
// limit, so the burst can never overshoot.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, expect, vi } from "vitest";
import { invalidateOrgLimits } from "../../workers/limits/config-cache";
import { type Admin, admin, call, proxyWithKey } from "./helpers";

export interface Burst {
  a: Admin;
  proxyId: string;
}

/** Sets up an admin and a proxy before the file's tests; fields are filled in beforeAll. */
export function setUpBurst(): Burst {
  const burst = {} as Burst;
  beforeAll(async () => {
    burst.a = await admin();
    burst.proxyId = (await proxyWithKey(burst.a)).proxyId;
  });
  return burst;
}

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
export const WORST_COST = Math.ceil((BYTES * 2_000_000 + 16 * 5_000_000) / 1_000_000);
export const WORST_TOKENS = BYTES + 16;

export async function addLimit(
  a: Admin,
  userId: string,
  metric: string,
  window: string,
  amount: number,
) {
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

export async function burst(proxyId: string, headers: Record<string, string>, n: number) {
  const responses = await Promise.all(
    Array.from({ length: n }, () =>
      call(`/v1/anthropic/${proxyId}/v1/messages`, { method: "POST", headers, body: BODY }),
    ),
  );
  const bodies = await Promise.all(responses.map((r) => r.text()));
  return responses.map((r, i) => ({ status: r.status, headers: r.headers, body: bodies[i] ?? "" }));
}

/**
 * The user's request log rows once `admitted` successful ones are in D1. Each row reaches the
 * user's gate in a waitUntil after its response ended, so under load some arrive after the
 * burst's bodies were read: drain the gate's flush alarm until they are all there.
 */
export async function settledRows(userId: string, admitted: number) {
  const gate = env.USER_GATE.get(env.USER_GATE.idFromName(`user:${userId}`));
  return vi.waitFor(
    async () => {
      while (await runDurableObjectAlarm(gate)) {
        // drain every batch
      }
      const rows = await env.DB.prepare(
        "SELECT status, cost_micro_usd AS cost, input_tokens + output_tokens AS tokens FROM llm_requests WHERE user_id = ?",
      )
        .bind(userId)
        .all<{ status: number; cost: number; tokens: number }>();
      expect(rows.results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(admitted);
      return rows.results;
    },
    { timeout: 10_000, interval: 100 },
  );
}

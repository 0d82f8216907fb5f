// Usage rollups: fed from the gates' flushes, read through GET /api/usage.
import { env } from "cloudflare:test";
import { beforeAll, expect, it } from "vitest";
import { expectFieldError } from "./api-helpers";
import {
  type Admin,
  admin,
  call,
  FAKE_SUBSCRIPTION_TOKEN,
  profileHeaders,
  proxyWithKey,
} from "./helpers";
import { loggedRow } from "./logs";

let a: Admin;
let proxyId: string;

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  const { headers, passthroughKey } = await profileHeaders(a, proxyId);
  const send = (h: Record<string, string>, text: string) =>
    call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: h,
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 8,
        messages: [{ role: "user", content: text }],
      }),
    }).then((r) => r.text());
  await send(headers, "[fake:cache]");
  await send(headers, "[fake:cache]");
  await send(
    {
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      authorization: `Bearer ${FAKE_SUBSCRIPTION_TOKEN}`,
      "x-archestra-virtual-key": passthroughKey,
    },
    "plain",
  );
  await loggedRow(a, `user:${a.userId}`, (r) => r.billingMode === "subscription");
});

it("sums tokens, cache tokens and cost per model and billing mode", async () => {
  const { data } = await a.json<{ data: Record<string, number | string>[] }>(
    "/usage?groupBy=model,billingMode",
  );
  const metered = data.find((r) => r.billingMode === "metered");
  // Each [fake:cache] reply: 12 in, 5 out (capped by max_tokens 8), 60 + 40 written, 200 read.
  // Sonnet 4.5: $3 in, $15 out, $3.75 / $6 cache writes, $0.30 cache reads per MTok.
  const each = Math.ceil((12 * 3e6 + 5 * 15e6 + 60 * 3.75e6 + 40 * 6e6 + 200 * 0.3e6) / 1e6);
  expect(metered).toMatchObject({
    model: "claude-sonnet-4-5",
    requests: 2,
    inputTokens: 24,
    cacheWrite5mTokens: 120,
    cacheWrite1hTokens: 80,
    cacheReadTokens: 400,
    costMicroUsd: 2 * each,
    listCostMicroUsd: 2 * each,
  });
  const subscription = data.find((r) => r.billingMode === "subscription");
  expect(subscription).toMatchObject({ requests: 1, costMicroUsd: 0 });
  expect(Number(subscription?.listCostMicroUsd)).toBeGreaterThan(0);
});

it("groups by user and day, and filters", async () => {
  const { data } = await a.json<{ data: Record<string, unknown>[] }>(
    `/usage?groupBy=user,day&billingMode=metered&proxyId=${proxyId}`,
  );
  expect(data).toEqual([
    expect.objectContaining({
      user: a.userId,
      day: new Date().toISOString().slice(0, 10),
      requests: 2,
    }),
  ]);
});

it("refuses unknown dimensions and reversed ranges, naming the field", async () => {
  await expectFieldError(await a.api("/usage?groupBy=day,planet"), "groupBy");
  await expectFieldError(await a.api("/usage?from=2026-02-01&to=2026-01-01"), "to");
});

it("groups and filters by team through current membership", async () => {
  const now = Date.now();
  // Teams made directly: this file is about the rollups, not the teams API.
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES ('team_red', ?, 'Red', ?, ?), ('team_blue', ?, 'Blue', ?, ?)",
    ).bind(a.orgId, now, now, a.orgId, now, now),
    env.DB.prepare(
      "INSERT INTO team_members (team_id, user_id, org_id, added_at) VALUES ('team_red', ?, ?, ?)",
    ).bind(a.userId, a.orgId, now),
  ]);
  const { data } = await a.json<{ data: { team: string | null; requests: number }[] }>(
    "/usage?groupBy=team",
  );
  expect(data).toEqual([expect.objectContaining({ team: "team_red", requests: 3 })]);
  const blue = await a.json<{ data: unknown[] }>("/usage?groupBy=day&teamId=team_blue");
  expect(blue.data).toEqual([]);
  const red = await a.json<{ data: { requests: number }[] }>("/usage?groupBy=day&teamId=team_red");
  expect(red.data.reduce((n, r) => n + r.requests, 0)).toBe(3);
});

// Which limits apply to whom, what a refusal or a failure leaves reserved, and how a
// subscription request is billed.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { invalidateOrgLimits } from "../../workers/limits/config-cache";
import {
  type Admin,
  admin,
  call,
  createUser,
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
});

let seq = 0;
async function addLimit(
  scope: string,
  scopeId: string | null,
  metric: string,
  amount: number,
  window = "day",
  models: string[] | null = null,
) {
  const id = `lim_${++seq}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO limits (id, org_id, name, scope, scope_id, metric, window, amount, models, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      a.orgId,
      `limit ${seq}`,
      scope,
      scopeId,
      metric,
      window,
      amount,
      models ? JSON.stringify(models) : null,
      now,
      now,
    )
    .run();
  invalidateOrgLimits(a.orgId);
  return id;
}

async function removeLimit(id: string) {
  await env.DB.prepare("DELETE FROM limits WHERE id = ?").bind(id).run();
  invalidateOrgLimits(a.orgId);
}

/**
 * One request, its body read to the end as a client would: the proxy settles a request's
 * usage when its response ends, so an unread body would leave the reservation open.
 */
async function ask(headers: Record<string, string>, text = "hi", model = "claude-haiku-4-5") {
  const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: text }] }),
  });
  const body = await res.text();
  return new Response(body, { status: res.status, headers: res.headers });
}

describe("scopes", () => {
  it("an organisation request limit counts everyone's requests", async () => {
    const one = await profileHeaders(await createUser(a, "org1@acme.test"), proxyId);
    const two = await profileHeaders(await createUser(a, "org2@acme.test"), proxyId);
    const id = await addLimit("organisation", null, "requests", 2);
    expect((await ask(one.headers)).status).toBe(200);
    expect((await ask(two.headers)).status).toBe(200);
    const third = await ask(one.headers);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: { type: "rate_limit_error" } });
    await removeLimit(id);
  });

  it("a team limit counts its members' requests together, and no one else's", async () => {
    const team = await a.json<{ id: string }>("/teams", { body: { name: "Platform" } });
    const inOne = await createUser(a, "team1@acme.test");
    const inTwo = await createUser(a, "team2@acme.test");
    for (const u of [inOne, inTwo]) {
      await a.json(`/teams/${team.id}/members`, { body: { userId: u.id } });
    }
    const one = await profileHeaders(inOne, proxyId);
    const two = await profileHeaders(inTwo, proxyId);
    const outsider = await profileHeaders(await createUser(a, "solo@acme.test"), proxyId);
    const id = await addLimit("team", team.id, "requests", 2);
    expect((await ask(one.headers)).status).toBe(200);
    expect((await ask(two.headers)).status).toBe(200);
    const third = await ask(one.headers);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(
      /limit \d+/,
    );
    expect((await ask(outsider.headers)).status).toBe(200);
    // Settlement happens after each response: the team's gate shows both once it has.
    await vi.waitFor(async () => {
      const shown = await a.json<{ usage: { used: number } | null }>(`/limits/${id}`);
      expect(shown.usage?.used).toBe(2);
    });
    await removeLimit(id);
  });

  it("a proxy limit applies on that proxy only", async () => {
    const user = await profileHeaders(await createUser(a, "proxy@acme.test"), proxyId);
    const id = await addLimit("llm_proxy", proxyId, "requests", 1);
    expect((await ask(user.headers)).status).toBe(200);
    expect((await ask(user.headers)).status).toBe(429);
    const other = await proxyWithKey(a, { name: "Other" });
    const res = await call(`/v1/anthropic/${other.proxyId}/v1/messages`, {
      method: "POST",
      headers: user.headers,
      body: JSON.stringify({
        model: "claude-haiku-4-5",
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    await removeLimit(id);
  });

  it("the default per-user limit applies to users without their own", async () => {
    const plain = await createUser(a, "default@acme.test");
    const special = await createUser(a, "own@acme.test");
    const defaultId = await addLimit("default_user", null, "requests", 1);
    const ownId = await addLimit("user", special.id, "requests", 3);
    const p = await profileHeaders(plain, proxyId);
    const s = await profileHeaders(special, proxyId);
    expect((await ask(p.headers)).status).toBe(200);
    expect((await ask(p.headers)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await ask(s.headers)).status).toBe(200);
    expect((await ask(s.headers)).status).toBe(429);
    await removeLimit(defaultId);
    await removeLimit(ownId);
  });

  it("a limit with a model list ignores other models", async () => {
    const member = await createUser(a, "models@acme.test");
    const user = await profileHeaders(member, proxyId);
    const id = await addLimit("user", member.id, "requests", 1, "day", ["claude-opus-4-5"]);
    expect((await ask(user.headers, "hi", "claude-opus-4-5-20251101")).status).toBe(200);
    expect((await ask(user.headers, "hi", "claude-opus-4-5-20251101")).status).toBe(429);
    expect((await ask(user.headers, "hi", "claude-haiku-4-5")).status).toBe(200);
    await removeLimit(id);
  });
});

describe("reservations that end early", () => {
  it("an upstream error releases the reservation", async () => {
    const member = await createUser(a, "release@acme.test");
    const { headers } = await profileHeaders(member, proxyId);
    // Room for exactly one worst case at a time.
    const id = await addLimit("user", member.id, "tokens", 200);
    for (let i = 0; i < 3; i++) {
      const res = await ask(headers, "[fake:status:529]");
      expect(res.status).toBe(529);
      await res.text();
    }
    const { row } = await loggedRow(
      a,
      `user:${member.id}`,
      (r) => r.userId === member.id && r.status === 529,
    );
    expect(row.inputTokens).toBe(0);
    const gate = env.USER_GATE.get(env.USER_GATE.idFromName(`user:${member.id}`));
    const [view] = await gate.views(
      [{ id, name: "t", metric: "tokens", window: "day", amount: 200, version: 1 }],
      "UTC",
    );
    expect(view).toMatchObject({ used: 0, reserved: 0, remaining: 200 });
    await removeLimit(id);
  });
});

describe("billing", () => {
  it("bills a subscription request $0 and keeps its list-price estimate", async () => {
    const member = await createUser(a, "sub@acme.test");
    const { passthroughKey } = await profileHeaders(member, proxyId);
    const res = await call(`/v1/anthropic/${proxyId}/v1/messages`, {
      method: "POST",
      headers: {
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        authorization: `Bearer ${FAKE_SUBSCRIPTION_TOKEN}`,
        "x-archestra-virtual-key": passthroughKey,
      },
      body: JSON.stringify({
        model: "claude-haiku-4-5",
        max_tokens: 8,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    await res.text(); // the row is settled when the body has been read
    const { row } = await loggedRow(a, `user:${member.id}`, (r) => r.userId === member.id);
    // Haiku 4.5: 12 input at $1/MTok + 1 output at $5/MTok = 17 µ$.
    expect(row).toMatchObject({
      billingMode: "subscription",
      costMicroUsd: 0,
      listCostMicroUsd: 17,
    });
  });
});

// /api/limits: validation with the field named, dollars to micro-dollars exactly, scopes that
// must exist in the organisation, the window-change reset, and isolation between organisations.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { orgLimits } from "../../workers/limits/config-cache";
import { expectApiError, expectFieldError, otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin, createUser, proxyWithKey } from "./helpers";

interface Limit {
  id: string;
  name: string;
  scope: string;
  scopeId: string | null;
  metric: string;
  window: string;
  amount: number;
  amountUsd: number | null;
  models: string[] | null;
  windowVersion: number;
  usage: unknown;
}

let a: Admin;
let member: Awaited<ReturnType<typeof createUser>>;
let proxyId: string;
let keyId: string;

const budget = { name: "Monthly budget", scope: "organisation", metric: "cost", window: "month" };
const create = (body: Record<string, unknown>) => a.api("/limits", { body });
const createLimit = (body: Record<string, unknown>) => a.json<Limit>("/limits", { body });
const patch = (id: string, body: Record<string, unknown>) =>
  a.api(`/limits/${id}`, { method: "PATCH", body });

beforeAll(async () => {
  a = await admin();
  ({ proxyId } = await proxyWithKey(a));
  member = await createUser(a, "max@acme.test");
  ({ id: keyId } = await a.json<{ id: string }>("/virtual-keys", {
    body: { name: "Max's key", kind: "passthrough", ownerUserId: member.id },
  }));
});

describe("creating a limit", () => {
  it("converts amountUsd to integer micro-dollars exactly and shows both", async () => {
    const limit = await createLimit({ ...budget, amountUsd: 12.345678 });
    expect(limit).toMatchObject({ amount: 12_345_678, amountUsd: 12.345678, scopeId: null });
    expect(limit.windowVersion).toBe(1);
    const [stored] = await rows<{ amount: number }>(
      "SELECT amount FROM limits WHERE id = ?",
      limit.id,
    );
    expect(stored?.amount).toBe(12_345_678);
    for (const [usd, micro] of [
      [0.1, 100_000],
      [0.29, 290_000],
      // 2.01 × 10^6 is 2009999.9999999998 in floating point: truncating would lose a µ$.
      [2.01, 2_010_000],
      [123_456.789012, 123_456_789_012],
      [1_000_000, 1_000_000_000_000],
      [0.000001, 1],
    ] as const) {
      expect((await createLimit({ ...budget, amountUsd: usd })).amount, `${usd}`).toBe(micro);
    }
  });

  it("takes a count for tokens and requests, with no dollar figure", async () => {
    const limit = await createLimit({
      name: "Token rate",
      scope: "default_user",
      metric: "tokens",
      window: "minute",
      amount: 1_000_000_000_000,
    });
    expect(limit).toMatchObject({ amount: 1e12, amountUsd: null, scope: "default_user" });
  });

  it("binds user, virtual key and proxy limits to things in this organisation", async () => {
    for (const [scope, scopeId] of [
      ["user", member.id],
      ["virtual_key", keyId],
      ["llm_proxy", proxyId],
    ]) {
      const limit = await createLimit({ ...budget, scope, scopeId, amountUsd: 5 });
      expect(limit).toMatchObject({ scope, scopeId });
    }
  });

  it("accepts built-in ids, aliases, dated snapshots and models with a price override", async () => {
    const models = ["claude-sonnet-4-5-20250929", "claude-opus-4-5", "claude-haiku-4-5-20270101"];
    const limit = await createLimit({ ...budget, amountUsd: 1, models: [...models, models[0]] });
    expect(limit.models).toEqual(models);
    const custom = { ...budget, amountUsd: 1, models: ["acme-llm-7"] };
    await expectFieldError(await create(custom), "models");
    const price = { input: 1, output: 2, cacheWrite5m: 1, cacheWrite1h: 1, cacheRead: 0.1 };
    await a.json("/model-prices/acme-llm-7", { method: "PATCH", body: price });
    expect((await createLimit(custom)).models).toEqual(["acme-llm-7"]);
  });

  it("refuses bad input with a 400 naming the field", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ ...budget, amountUsd: 1, name: "" }, "name"],
      [{ ...budget, amountUsd: 1, scope: "galaxy" }, "scope"],
      [{ ...budget, amountUsd: 1, metric: "vibes" }, "metric"],
      [{ ...budget, amountUsd: 1, window: "fortnight" }, "window"],
      [{ ...budget, amountUsd: -5 }, "amountUsd"],
      [{ ...budget, amountUsd: 0 }, "amountUsd"],
      [{ ...budget, amountUsd: 1_000_000.01 }, "amountUsd"],
      [{ ...budget, amountUsd: 1e300 }, "amountUsd"],
      [{ ...budget, amountUsd: 0.0000001 }, "amountUsd"],
      [{ ...budget, amountUsd: "10" }, "amountUsd"],
      [budget, "amountUsd"],
      [{ ...budget, amountUsd: 1, amount: 1_000_000 }, "amount"],
      [{ ...budget, metric: "tokens", amount: 1.5 }, "amount"],
      [{ ...budget, metric: "tokens", amount: 0 }, "amount"],
      [{ ...budget, metric: "requests", amount: 1e12 + 1 }, "amount"],
      [{ ...budget, metric: "requests", amount: -1 }, "amount"],
      [{ ...budget, metric: "requests" }, "amount"],
      [{ ...budget, metric: "tokens", amountUsd: 5 }, "amountUsd"],
      [{ ...budget, amountUsd: 1, models: [] }, "models"],
      [{ ...budget, amountUsd: 1, models: ["gpt-9000"] }, "models"],
      [{ ...budget, amountUsd: 1, models: "claude-opus-4-5" }, "models"],
      [{ ...budget, amountUsd: 1, scopeId: member.id }, "scopeId"],
      [{ ...budget, amountUsd: 1, scope: "default_user", scopeId: member.id }, "scopeId"],
      [{ ...budget, amountUsd: 1, scope: "user" }, "scopeId"],
      [{ ...budget, amountUsd: 1, scope: "user", scopeId: "usr_nobody" }, "scopeId"],
      [{ ...budget, amountUsd: 1, scope: "virtual_key", scopeId: member.id }, "scopeId"],
      [{ ...budget, amountUsd: 1, scope: "llm_proxy", scopeId: keyId }, "scopeId"],
    ];
    const count = async () => (await a.json<{ data: Limit[] }>("/limits")).data.length;
    const before = await count();
    for (const [body, field] of bad) await expectFieldError(await create(body), field);
    expect(await count()).toBe(before);
  });

  it("refuses a team limit for a team that is not the organisation's, naming scopeId", async () => {
    const body = await expectFieldError(
      await create({ ...budget, amountUsd: 1, scope: "team", scopeId: "team_x" }),
      "scopeId",
    );
    expect(body.error.message).toMatch(/no such team/);
  });
});

describe("reading limits", () => {
  it("lists them with a usage field, and shows one by id", async () => {
    const limit = await createLimit({ ...budget, name: "Readable", amountUsd: 3 });
    const { data } = await a.json<{ data: Limit[] }>("/limits");
    const listed = data.find((l) => l.id === limit.id);
    expect(listed).toMatchObject({ name: "Readable", amount: 3_000_000, amountUsd: 3 });
    for (const l of data) expect(l).toHaveProperty("usage");
    expect(await a.json<Limit>(`/limits/${limit.id}`)).toMatchObject({
      id: limit.id,
      amountUsd: 3,
    });
    await expectApiError(await a.api("/limits/lim_nope"), 404, "not_found_error");
  });
});

describe("changing a limit", () => {
  it("bumps windowVersion when the window changes, and only then", async () => {
    const limit = await createLimit({ ...budget, window: "day", amountUsd: 10 });
    const amountOnly = await a.json<Limit>(`/limits/${limit.id}`, {
      method: "PATCH",
      body: { amountUsd: 20.5, name: "Bigger" },
    });
    expect(amountOnly).toMatchObject({ amount: 20_500_000, name: "Bigger", windowVersion: 1 });
    const sameWindow = await a.json<Limit>(`/limits/${limit.id}`, {
      method: "PATCH",
      body: { window: "day" },
    });
    expect(sameWindow.windowVersion).toBe(1);
    const newWindow = await a.json<Limit>(`/limits/${limit.id}`, {
      method: "PATCH",
      body: { window: "week" },
    });
    expect(newWindow).toMatchObject({ window: "week", windowVersion: 2, amount: 20_500_000 });
    const [stored] = await rows<{ window_version: number }>(
      "SELECT window_version FROM limits WHERE id = ?",
      limit.id,
    );
    expect(stored?.window_version).toBe(2);
  });

  it("sets and clears the model filter", async () => {
    const limit = await createLimit({ ...budget, amountUsd: 1, models: ["claude-opus-4-5"] });
    const cleared = await a.json<Limit>(`/limits/${limit.id}`, {
      method: "PATCH",
      body: { models: null },
    });
    expect(cleared.models).toBeNull();
    await expectFieldError(await patch(limit.id, { models: ["nope-1"] }), "models");
  });

  it("refuses a new scope, metric or scopeId, and amounts in the wrong unit", async () => {
    const limit = await createLimit({ ...budget, amountUsd: 1 });
    const rate = await createLimit({ ...budget, metric: "requests", window: "minute", amount: 60 });
    await expectFieldError(await patch(limit.id, { scope: "default_user" }), "scope");
    await expectFieldError(await patch(limit.id, { metric: "tokens" }), "metric");
    await expectFieldError(await patch(limit.id, { scopeId: member.id }), "scopeId");
    await expectFieldError(await patch(limit.id, { amount: 5 }), "amount");
    await expectFieldError(await patch(limit.id, { amountUsd: 0 }), "amountUsd");
    await expectFieldError(await patch(rate.id, { amountUsd: 5 }), "amountUsd");
    await expectFieldError(await patch(rate.id, { amount: 2.5 }), "amount");
    await expectFieldError(await patch(rate.id, { window: "year" }), "window");
    // Sending the current values back, as a form would, is fine.
    const same = await patch(limit.id, { scope: "organisation", metric: "cost", scopeId: null });
    expect(same.status).toBe(200);
    expect(await a.json<Limit>(`/limits/${rate.id}`)).toMatchObject({
      amount: 60,
      window: "minute",
    });
  });

  it("deletes, after which the limit is gone", async () => {
    const limit = await createLimit({ ...budget, amountUsd: 1 });
    expect((await a.api(`/limits/${limit.id}`, { method: "DELETE" })).status).toBe(204);
    await expectApiError(await a.api(`/limits/${limit.id}`), 404);
    await expectApiError(await a.api(`/limits/${limit.id}`, { method: "DELETE" }), 404);
  });

  it("is seen by the proxy's limit cache at once after each write", async () => {
    const before = await orgLimits(env, a.orgId);
    const limit = await createLimit({ ...budget, amountUsd: 7 });
    const afterCreate = await orgLimits(env, a.orgId);
    expect(afterCreate.limits.map((l) => l.id)).toContain(limit.id);
    expect(before.limits.map((l) => l.id)).not.toContain(limit.id);
    await a.json(`/limits/${limit.id}`, { method: "PATCH", body: { amountUsd: 8 } });
    const afterPatch = await orgLimits(env, a.orgId);
    expect(afterPatch.limits.find((l) => l.id === limit.id)?.amount).toBe(8_000_000);
    await a.api(`/limits/${limit.id}`, { method: "DELETE" });
    expect((await orgLimits(env, a.orgId)).limits.map((l) => l.id)).not.toContain(limit.id);
  });
});

describe("organisations and roles", () => {
  it("keeps other organisations' limits and things out of reach", async () => {
    const other = await otherOrganisation();
    const theirs = "lim_theirs";
    await env.DB.prepare(
      "INSERT INTO limits (id, org_id, name, scope, metric, window, amount, created_at, updated_at) VALUES (?, ?, 'Theirs', 'organisation', 'requests', 'day', 5, 0, 0)",
    )
      .bind(theirs, other.orgId)
      .run();
    const { data } = await a.json<{ data: Limit[] }>("/limits");
    expect(data.map((l) => l.id)).not.toContain(theirs);
    await expectApiError(await a.api(`/limits/${theirs}`), 404);
    await expectApiError(await patch(theirs, { amount: 500, window: "hour" }), 404);
    await expectApiError(await a.api(`/limits/${theirs}`, { method: "DELETE" }), 404);
    const [stored] = await rows(
      "SELECT amount, window, window_version FROM limits WHERE id = ?",
      theirs,
    );
    expect(stored).toEqual({ amount: 5, window: "day", window_version: 1 });
    const forTheirUser = { ...budget, amountUsd: 1, scope: "user", scopeId: other.userId };
    await expectFieldError(await create(forTheirUser), "scopeId");
  });

  it("refuses members (403) on reads and writes, and changes nothing", async () => {
    const limit = await createLimit({ ...budget, name: "Untouchable", amountUsd: 2 });
    const forbidden = (res: Response) => expectApiError(res, 403, "permission_error");
    await forbidden(await member.api("/limits"));
    await forbidden(await member.api(`/limits/${limit.id}`));
    await forbidden(await member.api("/limits", { body: { ...budget, amountUsd: 1 } }));
    await forbidden(
      await member.api(`/limits/${limit.id}`, { method: "PATCH", body: { amountUsd: 1000 } }),
    );
    await forbidden(await member.api(`/limits/${limit.id}`, { method: "DELETE" }));
    expect(await a.json<Limit>(`/limits/${limit.id}`)).toMatchObject({ amountUsd: 2 });
  });
});

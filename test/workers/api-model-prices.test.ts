// /api/model-prices: the built-in table with the organisation's overrides merged in, prices in
// USD per million tokens and integer micro-dollars, and overrides that stay in their organisation.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_MODELS } from "../../shared/pricing";
import { orgLimits } from "../../workers/limits/config-cache";
import { expectApiError, expectFieldError, otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin, createUser } from "./helpers";

interface Prices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

interface Entry {
  model: string;
  displayName: string;
  aliases: string[];
  source: "built-in" | "override";
  usdPerMTok: Prices;
  microUsdPerMTok: Prices;
  longPrompt: { aboveTokens: number; usdPerMTok: Prices; microUsdPerMTok: Prices } | null;
}

interface Table {
  data: Entry[];
  defaultPrice: { usdPerMTok: Prices; microUsdPerMTok: Prices } | null;
}

const PRICE = { input: 2.5, output: 12.5, cacheWrite5m: 3.125, cacheWrite1h: 5, cacheRead: 0.25 };

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

const table = () => a.json<Table>("/model-prices");
const find = async (model: string) => (await table()).data.find((e) => e.model === model);
const setPrice = (model: string, body: unknown) =>
  a.api(`/model-prices/${model}`, { method: "PATCH", body });

describe("the price table", () => {
  it("lists every built-in model with both spellings of its price", async () => {
    const { data, defaultPrice } = await table();
    expect(data.map((e) => e.model)).toEqual(BUILT_IN_MODELS.map((m) => m.id));
    expect(defaultPrice).toBeNull();
    expect(data.find((e) => e.model === "claude-sonnet-4-5-20250929")).toEqual({
      model: "claude-sonnet-4-5-20250929",
      displayName: "Claude Sonnet 4.5",
      aliases: ["claude-sonnet-4-5"],
      source: "built-in",
      usdPerMTok: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
      microUsdPerMTok: {
        input: 3_000_000,
        output: 15_000_000,
        cacheWrite5m: 3_750_000,
        cacheWrite1h: 6_000_000,
        cacheRead: 300_000,
      },
      longPrompt: null,
      updatedAt: null,
    });
    const haiku = data.find((e) => e.model === "claude-haiku-5-5");
    expect(haiku?.longPrompt).toMatchObject({ aboveTokens: 100_000, usdPerMTok: { input: 0.5 } });
  });
});

describe("overrides", () => {
  it("replace a built-in price under the model's own id, whichever name was used", async () => {
    const res = await setPrice("claude-opus-4-5", PRICE);
    expect(res.status, await res.clone().text()).toBe(200);
    const entry = await find("claude-opus-4-5-20251101");
    expect(entry).toMatchObject({
      source: "override",
      displayName: "Claude Opus 4.5",
      usdPerMTok: PRICE,
      microUsdPerMTok: {
        input: 2_500_000,
        output: 12_500_000,
        cacheWrite5m: 3_125_000,
        cacheWrite1h: 5_000_000,
        cacheRead: 250_000,
      },
    });
    expect(await find("claude-opus-4-5")).toBeUndefined();
    const stored = await rows("SELECT model, input FROM model_prices WHERE org_id = ?", a.orgId);
    expect(stored).toContainEqual({ model: "claude-opus-4-5-20251101", input: 2_500_000 });
    expect(stored.filter((r) => r.model === "claude-opus-4-5")).toEqual([]);
  });

  it("round to the nearest micro-dollar", async () => {
    const entry = await a.json<Entry>("/model-prices/claude-opus-4-7", {
      method: "PATCH",
      body: { ...PRICE, input: 3.3333335, output: 2.01, cacheRead: 0.0000004, cacheWrite1h: 1e-6 },
    });
    expect(entry.microUsdPerMTok).toMatchObject({
      input: 3_333_334,
      output: 2_010_000,
      cacheRead: 0,
      cacheWrite1h: 1,
    });
    expect(entry.usdPerMTok).toMatchObject({
      input: 3.333334,
      output: 2.01,
      cacheWrite1h: 0.000001,
    });
  });

  it("keep the current price of fields left out", async () => {
    const entry = await a.json<Entry>("/model-prices/claude-sonnet-4-6", {
      method: "PATCH",
      body: { output: 20 },
    });
    expect(entry.usdPerMTok).toEqual({
      input: 3,
      output: 20,
      cacheWrite5m: 3.75,
      cacheWrite1h: 6,
      cacheRead: 0.3,
    });
    const again = await a.json<Entry>("/model-prices/claude-sonnet-4-6", {
      method: "PATCH",
      body: { input: 4 },
    });
    expect(again.usdPerMTok).toMatchObject({ input: 4, output: 20, cacheRead: 0.3 });
  });

  it("price a model the table does not know, given all five figures", async () => {
    await expectFieldError(await setPrice("acme-llm-9", { input: 1, output: 2 }), "cacheRead");
    const entry = await a.json<Entry>("/model-prices/acme-llm-9", { method: "PATCH", body: PRICE });
    expect(entry).toMatchObject({
      model: "acme-llm-9",
      displayName: "acme-llm-9",
      aliases: [],
      source: "override",
      longPrompt: null,
    });
    expect((await table()).data.at(-1)?.model).toBe("acme-llm-9");
  });

  it("refuse bad figures and bad model names with a 400 naming the field", async () => {
    const bad: [string, unknown, string][] = [
      ["claude-opus-4-6", { ...PRICE, input: -1 }, "input"],
      ["claude-opus-4-6", { ...PRICE, output: 10_000.5 }, "output"],
      ["claude-opus-4-6", { ...PRICE, cacheRead: "0.3" }, "cacheRead"],
      ["claude-opus-4-6", { ...PRICE, cacheWrite5m: null }, "cacheWrite5m"],
      ["claude-opus-4-6", { ...PRICE, cacheWrite1h: 1e308 }, "cacheWrite1h"],
      ["bad%20model", PRICE, "model"],
      ["-leading-dash", PRICE, "model"],
    ];
    for (const [model, body, field] of bad)
      await expectFieldError(await setPrice(model, body), field);
    expect(await find("claude-opus-4-6")).toMatchObject({ source: "built-in" });
    await expectApiError(await setPrice("claude-opus-4-6", {}), 400, "invalid_request_error");
  });

  it("can be removed (404 when there is none), which restores the list price", async () => {
    await a.json("/model-prices/claude-opus-4-8", { method: "PATCH", body: PRICE });
    const del = await a.api("/model-prices/claude-opus-4-8", { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(await find("claude-opus-4-8")).toMatchObject({
      source: "built-in",
      usdPerMTok: { input: 5, output: 25 },
    });
    await expectApiError(await a.api("/model-prices/claude-opus-4-8", { method: "DELETE" }), 404);
    await expectApiError(await a.api("/model-prices/never-priced", { method: "DELETE" }), 404);
    // Removing by an alias removes the override stored under the id.
    await a.json("/model-prices/claude-haiku-4-5", { method: "PATCH", body: PRICE });
    expect((await a.api("/model-prices/claude-haiku-4-5", { method: "DELETE" })).status).toBe(204);
    expect(await find("claude-haiku-4-5-20251001")).toMatchObject({ source: "built-in" });
  });

  it("reach the proxy's price cache at once", async () => {
    expect((await orgLimits(env, a.orgId)).prices.get("claude-opus-4-1-20250805")).toBeUndefined();
    await a.json("/model-prices/claude-opus-4-1", { method: "PATCH", body: PRICE });
    const cached = (await orgLimits(env, a.orgId)).prices.get("claude-opus-4-1-20250805");
    expect(cached).toMatchObject({ input: 2_500_000, cacheRead: 250_000 });
    await a.api("/model-prices/claude-opus-4-1", { method: "DELETE" });
    expect((await orgLimits(env, a.orgId)).prices.has("claude-opus-4-1-20250805")).toBe(false);
  });
});

describe("organisations and roles", () => {
  it("keep another organisation's overrides apart", async () => {
    const other = await otherOrganisation();
    await env.DB.prepare(
      "INSERT INTO model_prices (org_id, model, input, output, cache_write_5m, cache_write_1h, cache_read, updated_at) VALUES (?, 'claude-3-haiku-20240307', 1, 1, 1, 1, 1, 0), (?, 'their-model', 1, 1, 1, 1, 1, 0)",
    )
      .bind(other.orgId, other.orgId)
      .run();
    const { data } = await table();
    expect(data.find((e) => e.model === "claude-3-haiku-20240307")?.source).toBe("built-in");
    expect(data.map((e) => e.model)).not.toContain("their-model");
    await expectApiError(await a.api("/model-prices/their-model", { method: "DELETE" }), 404);
    const theirs = await rows("SELECT model FROM model_prices WHERE org_id = ?", other.orgId);
    expect(theirs).toHaveLength(2);
  });

  it("refuse members (403), who change nothing", async () => {
    const member = await createUser(a, "pia@acme.test");
    const forbidden = (res: Response) => expectApiError(res, 403, "permission_error");
    await forbidden(await member.api("/model-prices"));
    await forbidden(
      await member.api("/model-prices/claude-opus-4-6", { method: "PATCH", body: PRICE }),
    );
    await a.json("/model-prices/claude-opus-4-6", { method: "PATCH", body: { input: 1 } });
    await forbidden(await member.api("/model-prices/claude-opus-4-6", { method: "DELETE" }));
    expect(await find("claude-opus-4-6")).toMatchObject({
      source: "override",
      usdPerMTok: { input: 1 },
    });
  });
});

// /api/model-prices: the built-in price table merged with the organisation's overrides, and
// its price for unknown models. Prices go in and out in USD per million tokens, as price pages
// quote them, and are stored as integer micro-USD per million tokens, like all money here.

import { and, asc, eq, inArray } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import { modelPrices, organisations } from "../../d1/schema";
import type { ModelPriceList, ModelPriceView, PriceView } from "../../shared/api-types";
import { BUILT_IN_MODELS, type ModelInfo, type TokenPrices } from "../../shared/pricing";
import type { AppEnv } from "../app-env";
import { db } from "../db";
import { badRequest, fromZodError, notFound } from "../errors";
import { invalidateOrgLimits } from "../limits/config-cache";
import { route } from "./route";

const MICRO_PER_USD = 1_000_000;
const DATE_SUFFIX = /-\d{8}$/;
const PRICE_FIELDS = ["input", "output", "cacheWrite5m", "cacheWrite1h", "cacheRead"] as const;

const UsdPerMTok = z.number().min(0).max(10_000);

/** A price as admins give it: USD per million tokens, for each kind of token. */
export const UsdPrice = z.object({
  input: UsdPerMTok,
  output: UsdPerMTok,
  cacheWrite5m: UsdPerMTok,
  cacheWrite1h: UsdPerMTok,
  cacheRead: UsdPerMTok,
});

/** Model ids as providers spell them; no slashes or spaces, so they fit in a path segment. */
export const ModelName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][\w.:@-]*$/, "letters, digits and . _ : @ - only");

export function badField(path: string, message: string) {
  return badRequest(`${path}: ${message}`, [{ path, message }]);
}

/** USD per MTok → integer µ$ per MTok. Rounding (not truncation) so 3.3333335 is 3333334. */
export function toMicroPrice(usd: z.output<typeof UsdPrice>): TokenPrices {
  const micro = (v: number) => Math.round(v * MICRO_PER_USD);
  return {
    input: micro(usd.input),
    output: micro(usd.output),
    cacheWrite5m: micro(usd.cacheWrite5m),
    cacheWrite1h: micro(usd.cacheWrite1h),
    cacheRead: micro(usd.cacheRead),
  };
}

/** Both spellings of a price: USD per MTok for people, integer µ$ per MTok for exact sums. */
export function describePrice(p: TokenPrices): PriceView {
  // An integer divided by 10^6 is the double nearest that decimal, so it prints exactly.
  const usd = (v: number) => v / MICRO_PER_USD;
  return {
    usdPerMTok: {
      input: usd(p.input),
      output: usd(p.output),
      cacheWrite5m: usd(p.cacheWrite5m),
      cacheWrite1h: usd(p.cacheWrite1h),
      cacheRead: usd(p.cacheRead),
    },
    microUsdPerMTok: {
      input: p.input,
      output: p.output,
      cacheWrite5m: p.cacheWrite5m,
      cacheWrite1h: p.cacheWrite1h,
      cacheRead: p.cacheRead,
    },
  };
}

// Every name a built-in model answers to, as shared/pricing.ts resolves them: id, id without
// its date, aliases.
const BUILT_IN_BY_NAME: ReadonlyMap<string, ModelInfo> = (() => {
  const byName = new Map<string, ModelInfo>();
  for (const info of BUILT_IN_MODELS) {
    for (const name of [info.id, info.id.replace(DATE_SUFFIX, ""), ...info.aliases]) {
      if (!byName.has(name)) byName.set(name, info);
    }
  }
  return byName;
})();

/**
 * Overrides are stored under a built-in model's id whatever name it was set by, so a model has
 * at most one override and the merged table shows it on the model's own row.
 */
const canonicalModel = (name: string) => BUILT_IN_BY_NAME.get(name)?.id ?? name;

/** The models a limit's filter names that no price knows: not built in, not overridden. */
export async function unknownModels(env: Env, orgId: string, models: readonly string[]) {
  const names = (m: string) => [m, m.replace(DATE_SUFFIX, "")];
  const notBuiltIn = models.filter((m) => !names(m).some((n) => BUILT_IN_BY_NAME.has(n)));
  if (notBuiltIn.length === 0) return [];
  const rows = await db(env)
    .select({ model: modelPrices.model })
    .from(modelPrices)
    .where(eq(modelPrices.orgId, orgId));
  const overridden = new Set(rows.map((r) => r.model));
  return notBuiltIn.filter((m) => !names(m).some((n) => overridden.has(n)));
}

type OverrideRow = typeof modelPrices.$inferSelect;

/** A built-in model (maybe overridden), or a model only this organisation has priced. */
type Known =
  | { info: ModelInfo; override: OverrideRow | undefined }
  | { info: undefined; override: OverrideRow };

function entry(model: string, { info, override }: Known): ModelPriceView {
  const price = info ? (override ?? info.price) : override;
  // An override has no long-prompt tier: model_prices has no columns for one.
  const long = override ? undefined : info?.price.longPrompt;
  return {
    model,
    displayName: info?.displayName ?? model,
    aliases: info ? [...info.aliases] : [],
    source: override ? ("override" as const) : ("built-in" as const),
    ...describePrice(price),
    longPrompt: long ? { aboveTokens: long.aboveTokens, ...describePrice(long.prices) } : null,
    updatedAt: override?.updatedAt ?? null,
  };
}

function modelParam(c: Context<AppEnv>): string {
  const parsed = ModelName.safeParse(c.req.param("model") ?? "");
  if (!parsed.success) throw badField("model", parsed.error.issues[0]?.message ?? "invalid");
  return parsed.data;
}

async function findOverride(c: Context<AppEnv>, model: string) {
  const [row] = await db(c.env)
    .select()
    .from(modelPrices)
    .where(and(eq(modelPrices.orgId, c.get("user").orgId), eq(modelPrices.model, model)));
  return row;
}

export const modelPriceRoutes = [
  route({
    method: "get",
    path: "/model-prices",
    summary:
      "Every priced model (built-in table merged with this organisation's overrides) and the price for unknown models",
    access: "price:read",
    async handler(c) {
      const orgId = c.get("user").orgId;
      const [overrides, [org]] = await Promise.all([
        db(c.env)
          .select()
          .from(modelPrices)
          .where(eq(modelPrices.orgId, orgId))
          .orderBy(asc(modelPrices.model)),
        db(c.env)
          .select({ price: organisations.defaultModelPrice })
          .from(organisations)
          .where(eq(organisations.id, orgId)),
      ]);
      const byModel = new Map(overrides.map((o) => [o.model, o]));
      const builtIn = BUILT_IN_MODELS.map((info) =>
        entry(info.id, { info, override: byModel.get(info.id) }),
      );
      const others = overrides
        .filter((o) => !BUILT_IN_MODELS.some((info) => info.id === o.model))
        .map((o) => entry(o.model, { info: undefined, override: o }));
      const defaultPrice = org?.price ? describePrice(org.price) : null;
      const list: ModelPriceList = { data: [...builtIn, ...others], defaultPrice };
      return c.json(list);
    },
  }),
  route({
    // PATCH because route.ts has no PUT; fields left out keep the model's current price.
    method: "patch",
    path: "/model-prices/:model",
    summary:
      "Set this organisation's price for a model (USD per million tokens); fields left out keep the current price, and a model with no price needs all five",
    access: "price:update",
    body: UsdPrice.partial().refine((p) => PRICE_FIELDS.some((f) => p[f] !== undefined), {
      message: "give at least one of input, output, cacheWrite5m, cacheWrite1h, cacheRead",
    }),
    async handler(c, { body }) {
      const model = canonicalModel(modelParam(c));
      const info = BUILT_IN_BY_NAME.get(model);
      const current = (await findOverride(c, model)) ?? info?.price;
      // µ$ → USD → µ$ is exact (see describePrice), so kept fields come back unchanged; a
      // model with no price yet must be given all five, and zod names the missing ones.
      const merged = UsdPrice.safeParse({
        ...(current && describePrice(current).usdPerMTok),
        ...body,
      });
      if (!merged.success) throw fromZodError(merged.error, "request body");
      const orgId = c.get("user").orgId;
      const row: OverrideRow = {
        orgId,
        model,
        ...toMicroPrice(merged.data),
        updatedAt: Date.now(),
      };
      await db(c.env)
        .insert(modelPrices)
        .values(row)
        .onConflictDoUpdate({ target: [modelPrices.orgId, modelPrices.model], set: row });
      invalidateOrgLimits(row.orgId);
      // Spelled out per branch so TypeScript can see which kind of model this is.
      return c.json(entry(model, info ? { info, override: row } : { info, override: row }));
    },
  }),
  route({
    method: "delete",
    path: "/model-prices/:model",
    summary:
      "Remove this organisation's price override for a model (built-in models go back to list price)",
    access: "price:update",
    async handler(c) {
      const given = modelParam(c);
      const orgId = c.get("user").orgId;
      const result = await db(c.env)
        .delete(modelPrices)
        .where(
          and(
            eq(modelPrices.orgId, orgId),
            inArray(modelPrices.model, [given, canonicalModel(given)]),
          ),
        );
      if (result.meta.changes === 0) throw notFound(`No price override for ${given}.`);
      invalidateOrgLimits(orgId);
      return c.body(null, 204);
    },
  }),
];

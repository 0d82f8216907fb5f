// Model prices and request cost. Money is integer micro-USD (µ$) throughout so costs sum
// exactly; prices are µ$ per million tokens ($3/MTok = 3_000_000).
import type { Usage } from "./usage";

export interface TokenPrices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ModelPrice extends TokenPrices {
  /**
   * Some models bill a request whose prompt (input + cache writes + cache reads) exceeds a
   * threshold at higher rates, on every token of that request, output included.
   */
  longPrompt?: { aboveTokens: number; prices: TokenPrices };
}

export interface ModelInfo {
  id: string;
  displayName: string;
  /** Other names the API accepts for this model. */
  aliases: readonly string[];
  price: ModelPrice;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000;
const MICRO_PER_USD = 1_000_000;
const DATE_SUFFIX = /-\d{8}$/;

// Anthropic's usual cache multipliers: 5m writes 1.25×, 1h writes 2×, reads 0.1× the input
// price. Every input price here is a multiple of 40 µ$, so all of these are exact integers.
// Models priced otherwise pass their own figures in `special`.
function anthropicModel(
  id: string,
  displayName: string,
  aliases: readonly string[],
  input: number,
  output: number,
  special: Partial<ModelPrice> = {},
): ModelInfo {
  const price: ModelPrice = Object.freeze({
    input,
    output,
    cacheWrite5m: (input * 5) / 4,
    cacheWrite1h: input * 2,
    cacheRead: input / 10,
    ...special,
  });
  return Object.freeze({ id, displayName, aliases: Object.freeze([...aliases]), price });
}

// Published list prices, November 2026. Models missing here (and any new one) are logged as
// unpriced until an admin sets a price; they are never counted as free.
export const BUILT_IN_MODELS: readonly ModelInfo[] = Object.freeze([
  anthropicModel("claude-fable-5-1", "Claude Fable 5.1", [], 10_000_000, 50_000_000),
  anthropicModel("claude-fable-5", "Claude Fable 5", [], 10_000_000, 50_000_000),
  // Opus 5.5 and Sonnet 5.5 read the cache at 0.05× input.
  anthropicModel("claude-opus-5-5", "Claude Opus 5.5", [], 4_000_000, 20_000_000, {
    cacheRead: 200_000,
  }),
  anthropicModel("claude-opus-5", "Claude Opus 5", [], 5_000_000, 25_000_000),
  anthropicModel("claude-sonnet-5-5", "Claude Sonnet 5.5", [], 2_000_000, 10_000_000, {
    cacheRead: 100_000,
  }),
  anthropicModel("claude-sonnet-5", "Claude Sonnet 5", [], 2_000_000, 10_000_000),
  // Haiku 5.5 bills prompts over 100,000 tokens at five times the rates, on every token.
  anthropicModel("claude-haiku-5-5", "Claude Haiku 5.5", [], 100_000, 500_000, {
    cacheWrite5m: 125_000,
    cacheWrite1h: 200_000,
    cacheRead: 10_000,
    longPrompt: {
      aboveTokens: 100_000,
      prices: {
        input: 500_000,
        output: 2_500_000,
        cacheWrite5m: 625_000,
        cacheWrite1h: 1_000_000,
        cacheRead: 50_000,
      },
    },
  }),
  anthropicModel("claude-opus-4-8", "Claude Opus 4.8", [], 5_000_000, 25_000_000),
  anthropicModel("claude-opus-4-7", "Claude Opus 4.7", [], 5_000_000, 25_000_000),
  anthropicModel("claude-opus-4-6", "Claude Opus 4.6", [], 5_000_000, 25_000_000),
  anthropicModel("claude-sonnet-4-6", "Claude Sonnet 4.6", [], 3_000_000, 15_000_000),
  anthropicModel(
    "claude-opus-4-5-20251101",
    "Claude Opus 4.5",
    ["claude-opus-4-5"],
    5_000_000,
    25_000_000,
  ),
  anthropicModel(
    "claude-opus-4-1-20250805",
    "Claude Opus 4.1",
    ["claude-opus-4-1"],
    15_000_000,
    75_000_000,
  ),
  anthropicModel(
    "claude-opus-4-20250514",
    "Claude Opus 4",
    ["claude-opus-4-0"],
    15_000_000,
    75_000_000,
  ),
  anthropicModel(
    "claude-sonnet-4-5-20250929",
    "Claude Sonnet 4.5",
    ["claude-sonnet-4-5"],
    3_000_000,
    15_000_000,
  ),
  anthropicModel(
    "claude-sonnet-4-20250514",
    "Claude Sonnet 4",
    ["claude-sonnet-4-0"],
    3_000_000,
    15_000_000,
  ),
  anthropicModel(
    "claude-3-7-sonnet-20250219",
    "Claude Sonnet 3.7",
    ["claude-3-7-sonnet-latest"],
    3_000_000,
    15_000_000,
  ),
  anthropicModel(
    "claude-haiku-4-5-20251001",
    "Claude Haiku 4.5",
    ["claude-haiku-4-5"],
    1_000_000,
    5_000_000,
  ),
  anthropicModel(
    "claude-3-5-haiku-20241022",
    "Claude Haiku 3.5",
    ["claude-3-5-haiku-latest"],
    800_000,
    4_000_000,
  ),
  anthropicModel("claude-3-haiku-20240307", "Claude Haiku 3", [], 250_000, 1_250_000),
]);

// Every name a model answers to: its id, its aliases, and its id without the date, so a
// future dated snapshot of a known model ("claude-sonnet-4-5-2026…") is priced like it.
const MODELS_BY_NAME: ReadonlyMap<string, ModelInfo> = (() => {
  const byName = new Map<string, ModelInfo>();
  for (const info of BUILT_IN_MODELS) {
    for (const name of [info.id, info.id.replace(DATE_SUFFIX, ""), ...info.aliases]) {
      if (!byName.has(name)) byName.set(name, info);
    }
  }
  return byName;
})();

/** The built-in model id a name stands for (an alias, an undated or dated id), if known. */
export function canonicalModelId(model: string): string | undefined {
  return (MODELS_BY_NAME.get(model) ?? MODELS_BY_NAME.get(model.replace(DATE_SUFFIX, "")))?.id;
}

/**
 * The price for a model id, or undefined if it is unknown: unknown models are unpriced, never
 * free. An override wins when keyed by the requested id, by that id without its date, or by
 * any name of the built-in model it resolves to, so an admin who overrides
 * "claude-sonnet-4-5-20250929" also reprices requests for "claude-sonnet-4-5".
 */
export function findModelPrice(
  model: string,
  overrides?: ReadonlyMap<string, ModelPrice>,
): ModelPrice | undefined {
  if (typeof model !== "string" || model === "") return undefined;
  const undated = model.replace(DATE_SUFFIX, "");
  const info = MODELS_BY_NAME.get(model) ?? MODELS_BY_NAME.get(undated);
  if (overrides !== undefined && overrides.size > 0) {
    const direct = overrides.get(model) ?? overrides.get(undated);
    if (direct !== undefined) return direct;
    if (info !== undefined) {
      for (const name of [info.id, ...info.aliases]) {
        const override = overrides.get(name);
        if (override !== undefined) return override;
      }
    }
  }
  return info?.price;
}

// Counts and prices that are not non-negative safe integers (only reachable through bad
// data) contribute nothing rather than poisoning the sum with NaN.
function whole(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Cost in µ$: Σ tokens × price, divided once by a million and rounded up. Exact. */
export function costMicroUsd(usage: Usage, modelPrice: ModelPrice): number {
  const input = whole(usage.inputTokens);
  const output = whole(usage.outputTokens);
  const write5m = whole(usage.cacheWrite5mTokens);
  const write1h = whole(usage.cacheWrite1hTokens);
  const read = whole(usage.cacheReadTokens);
  const long = modelPrice.longPrompt;
  const price: TokenPrices =
    long && input + write5m + write1h + read > long.aboveTokens ? long.prices : modelPrice;
  const inputPrice = whole(price.input);
  const outputPrice = whole(price.output);
  const write5mPrice = whole(price.cacheWrite5m);
  const write1hPrice = whole(price.cacheWrite1h);
  const readPrice = whole(price.cacheRead);
  const sum =
    input * inputPrice +
    output * outputPrice +
    write5m * write5mPrice +
    write1h * write1hPrice +
    read * readPrice;
  // All terms are non-negative, so if any product or partial sum had passed 2^53 (and lost
  // precision) the total would too: a total within range proves the arithmetic was exact.
  if (sum <= Number.MAX_SAFE_INTEGER) {
    const remainder = sum % TOKENS_PER_PRICE_UNIT;
    return (sum - remainder) / TOKENS_PER_PRICE_UNIT + (remainder > 0 ? 1 : 0);
  }
  const big =
    BigInt(input) * BigInt(inputPrice) +
    BigInt(output) * BigInt(outputPrice) +
    BigInt(write5m) * BigInt(write5mPrice) +
    BigInt(write1h) * BigInt(write1hPrice) +
    BigInt(read) * BigInt(readPrice);
  const unit = BigInt(TOKENS_PER_PRICE_UNIT);
  return Number((big + unit - 1n) / unit);
}

/**
 * "$0.000123", "$1.50", "$12.345678": at least cents, and as many further digits (up to the
 * µ$) as it takes to show the amount exactly.
 */
export function formatUsd(micro: number): string {
  if (!Number.isFinite(micro)) return "$?";
  const rounded = Math.round(micro);
  const sign = rounded < 0 ? "-" : "";
  const abs = Math.abs(rounded);
  const fraction = abs % MICRO_PER_USD;
  const dollars = (abs - fraction) / MICRO_PER_USD;
  const digits = String(fraction).padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${sign}$${dollars}.${digits}`;
}

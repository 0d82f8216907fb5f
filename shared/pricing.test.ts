import { describe, expect, it } from "vitest";
import {
  BUILT_IN_MODELS,
  costMicroUsd,
  findModelPrice,
  formatUsd,
  type ModelPrice,
} from "./pricing";
import { type Usage, ZERO_USAGE } from "./usage";

function usage(fields: Partial<Usage>): Usage {
  return { ...ZERO_USAGE, ...fields };
}

function priceOf(model: string): ModelPrice {
  const price = findModelPrice(model);
  if (price === undefined) throw new Error(`no price for ${model}`);
  return price;
}

describe("BUILT_IN_MODELS", () => {
  it("prices cache writes and reads from the input price, as exact integers", () => {
    // Models with published prices of their own for the cache are checked separately below.
    const ownCachePrices = new Set(["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]);
    for (const { id, price } of BUILT_IN_MODELS) {
      const { longPrompt, ...base } = price;
      for (const value of Object.values({ ...base, ...longPrompt?.prices })) {
        expect(Number.isSafeInteger(value), `${id}: ${value}`).toBe(true);
      }
      if (ownCachePrices.has(id)) continue;
      expect(price.cacheWrite5m * 4, id).toBe(price.input * 5);
      expect(price.cacheWrite1h, id).toBe(price.input * 2);
      expect(price.cacheRead * 10, id).toBe(price.input);
    }
  });

  it("lists the expected prices", () => {
    expect(priceOf("claude-3-5-haiku-20241022")).toEqual({
      input: 800_000,
      output: 4_000_000,
      cacheWrite5m: 1_000_000,
      cacheWrite1h: 1_600_000,
      cacheRead: 80_000,
    });
    expect(priceOf("claude-3-haiku-20240307")).toEqual({
      input: 250_000,
      output: 1_250_000,
      cacheWrite5m: 312_500,
      cacheWrite1h: 500_000,
      cacheRead: 25_000,
    });
    const inputOutput = Object.fromEntries(
      BUILT_IN_MODELS.map((m) => [m.id, [m.price.input, m.price.output]]),
    );
    expect(inputOutput).toEqual({
      "claude-fable-5-1": [10_000_000, 50_000_000],
      "claude-fable-5": [10_000_000, 50_000_000],
      "claude-opus-5-5": [4_000_000, 20_000_000],
      "claude-opus-5": [5_000_000, 25_000_000],
      "claude-sonnet-5-5": [2_000_000, 10_000_000],
      "claude-sonnet-5": [2_000_000, 10_000_000],
      "claude-haiku-5-5": [100_000, 500_000],
      "claude-opus-4-8": [5_000_000, 25_000_000],
      "claude-opus-4-7": [5_000_000, 25_000_000],
      "claude-opus-4-6": [5_000_000, 25_000_000],
      "claude-sonnet-4-6": [3_000_000, 15_000_000],
      "claude-opus-4-5-20251101": [5_000_000, 25_000_000],
      "claude-opus-4-1-20250805": [15_000_000, 75_000_000],
      "claude-opus-4-20250514": [15_000_000, 75_000_000],
      "claude-sonnet-4-5-20250929": [3_000_000, 15_000_000],
      "claude-sonnet-4-20250514": [3_000_000, 15_000_000],
      "claude-3-7-sonnet-20250219": [3_000_000, 15_000_000],
      "claude-haiku-4-5-20251001": [1_000_000, 5_000_000],
      "claude-3-5-haiku-20241022": [800_000, 4_000_000],
      "claude-3-haiku-20240307": [250_000, 1_250_000],
    });
  });

  it("cannot be changed at runtime", () => {
    const first = BUILT_IN_MODELS[0];
    expect(Object.isFrozen(BUILT_IN_MODELS)).toBe(true);
    expect(first && Object.isFrozen(first.price)).toBe(true);
  });
});

describe("findModelPrice", () => {
  it("finds models by id and by alias", () => {
    expect(priceOf("claude-sonnet-4-5").input).toBe(3_000_000);
    expect(priceOf("claude-opus-4-0").input).toBe(15_000_000);
    expect(priceOf("claude-3-7-sonnet-latest").output).toBe(15_000_000);
    expect(priceOf("claude-haiku-4-5-20251001").input).toBe(1_000_000);
    expect(findModelPrice("claude-opus-4-5")).toBe(findModelPrice("claude-opus-4-5-20251101"));
  });

  it("prices an unlisted dated snapshot like its undated name", () => {
    expect(priceOf("claude-sonnet-4-5-20260101").input).toBe(3_000_000);
    expect(priceOf("claude-opus-4-20991231").input).toBe(15_000_000);
    expect(priceOf("claude-3-haiku-20250101").input).toBe(250_000);
  });

  it("leaves unknown models unpriced", () => {
    for (const model of [
      "",
      "gpt-4o",
      "claude-sonnet-4-5-2025092",
      "claude-sonnet-9-20250929",
      "CLAUDE-SONNET-4-5",
      "claude-sonnet-4-5-20250929-extra",
    ]) {
      expect(findModelPrice(model), model).toBeUndefined();
    }
  });

  it("lets overrides win, however the model is named", () => {
    const custom: ModelPrice = {
      input: 1,
      output: 2,
      cacheWrite5m: 3,
      cacheWrite1h: 4,
      cacheRead: 5,
    };
    const byId = new Map([["claude-sonnet-4-5-20250929", custom]]);
    expect(findModelPrice("claude-sonnet-4-5-20250929", byId)).toBe(custom);
    expect(findModelPrice("claude-sonnet-4-5", byId)).toBe(custom);
    expect(findModelPrice("claude-sonnet-4-5-20260101", byId)).toBe(custom);
    expect(findModelPrice("claude-sonnet-4-20250514", byId)?.input).toBe(3_000_000);

    const byAlias = new Map([["claude-opus-4-0", custom]]);
    expect(findModelPrice("claude-opus-4-20250514", byAlias)).toBe(custom);

    const unlisted = new Map([["my-finetune", custom]]);
    expect(findModelPrice("my-finetune", unlisted)).toBe(custom);
    expect(findModelPrice("my-finetune-20250101", unlisted)).toBe(custom);
    expect(findModelPrice("my-other-model", unlisted)).toBeUndefined();
  });
});

describe("costMicroUsd", () => {
  it("charges a million Sonnet 4.5 input tokens $3", () => {
    expect(costMicroUsd(usage({ inputTokens: 1_000_000 }), priceOf("claude-sonnet-4-5"))).toBe(
      3_000_000,
    );
  });

  it("rounds a fraction of a µ$ up", () => {
    expect(costMicroUsd(usage({ inputTokens: 1 }), priceOf("claude-3-haiku-20240307"))).toBe(1);
    expect(costMicroUsd(ZERO_USAGE, priceOf("claude-3-haiku-20240307"))).toBe(0);
  });

  it("sums before dividing, rounding up once", () => {
    // 2 × 0.25 + 2 × 0.025 = 0.55 µ$ → 1, where rounding each term up would give 2.
    const haiku3 = priceOf("claude-3-haiku-20240307");
    expect(costMicroUsd(usage({ inputTokens: 2, cacheReadTokens: 2 }), haiku3)).toBe(1);
  });

  it("prices every kind of token at its own rate", () => {
    const opus45 = priceOf("claude-opus-4-5");
    const cost = costMicroUsd(
      {
        inputTokens: 1000,
        outputTokens: 2000,
        cacheWrite5mTokens: 3000,
        cacheWrite1hTokens: 4000,
        cacheReadTokens: 5000,
      },
      opus45,
    );
    // 1000×5 + 2000×25 + 3000×6.25 + 4000×10 + 5000×0.5 = 116 250 µ$
    expect(cost).toBe(116_250);
    expect(formatUsd(cost)).toBe("$0.11625");
  });

  it("stays exact beyond 2^53", () => {
    const opus41 = priceOf("claude-opus-4-1");
    // (10^12 + 3) × 15 000 000 is past 2^53, where doubles would round it to ...046.
    expect(costMicroUsd(usage({ inputTokens: 1_000_000_000_003 }), opus41)).toBe(
      15_000_000_000_045,
    );
  });

  it("ignores counts and prices that are not non-negative integers", () => {
    const sonnet = priceOf("claude-sonnet-4-5");
    const junk = usage({ inputTokens: Number.NaN, outputTokens: -5, cacheReadTokens: 1.5 });
    expect(costMicroUsd(junk, sonnet)).toBe(0);
    expect(
      costMicroUsd(usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }), {
        ...sonnet,
        output: Number.POSITIVE_INFINITY,
      }),
    ).toBe(3_000_000);
  });
});

describe("formatUsd", () => {
  it.each([
    [0, "$0.00"],
    [1, "$0.000001"],
    [123, "$0.000123"],
    [10_000, "$0.01"],
    [1_500_000, "$1.50"],
    [3_000_000, "$3.00"],
    [12_345_678, "$12.345678"],
    [1_234_567_000_000, "$1234567.00"],
    [-500_000, "-$0.50"],
    [2.6, "$0.000003"],
    [Number.NaN, "$?"],
  ])("formats %d µ$ as %s", (micro, text) => {
    expect(formatUsd(micro)).toBe(text);
  });
});

describe("newer models", () => {
  const usage = (inputTokens: number, outputTokens = 0, cacheReadTokens = 0) => ({
    inputTokens,
    outputTokens,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    cacheReadTokens,
  });

  it("prices Opus 5.5 cache reads at its own rate, not 0.1× input", () => {
    const price = findModelPrice("claude-opus-5-5");
    expect(price?.cacheRead).toBe(200_000);
    expect(costMicroUsd(usage(0, 0, 1_000_000), price as ModelPrice)).toBe(200_000);
  });

  it("bills a long Haiku 5.5 prompt at the higher tier on every token", () => {
    const price = findModelPrice("claude-haiku-5-5") as ModelPrice;
    // 100,000 prompt tokens: still the base tier ($0.10 in, $0.50 out per MTok).
    expect(costMicroUsd(usage(100_000, 1_000), price)).toBe(10_000 + 500);
    // One more prompt token (counting cache reads) moves the whole request to $0.50 / $2.50.
    expect(costMicroUsd(usage(100_000, 1_000, 1), price)).toBe(50_000 + 2_500 + 1);
  });
});

import { describe, expect, it } from "vitest";
import { modelAllowed } from "./model-match";

describe("modelAllowed", () => {
  it("allows everything without a list", () => {
    expect(modelAllowed("anything", null)).toBe(true);
  });

  it("matches exact ids, and dated ids under an undated entry", () => {
    expect(modelAllowed("claude-sonnet-4-5-20250929", ["claude-sonnet-4-5"])).toBe(true);
    expect(modelAllowed("claude-sonnet-4-5", ["claude-sonnet-4-5"])).toBe(true);
    expect(modelAllowed("claude-opus-4-5", ["claude-sonnet-4-5"])).toBe(false);
  });

  it("matches other names of the same built-in model", () => {
    expect(modelAllowed("claude-opus-4-5", ["claude-opus-4-5-20251101"])).toBe(true);
    expect(modelAllowed("claude-3-7-sonnet-20250219", ["claude-3-7-sonnet-latest"])).toBe(true);
    expect(modelAllowed("claude-opus-4-1", ["claude-opus-4-5-20251101"])).toBe(false);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sendGroups } from "./send-groups";

const LIMITS = { maxCount: 100, maxBytes: 200_000 };

describe("groups for one sendBatch each", () => {
  it("keeps every group within the count and the bytes, in order, losing nothing", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 150_000 }), { maxLength: 400 }), (sizes) => {
        const items = sizes.map((size, i) => ({ i, size }));
        const groups = sendGroups(items, (x) => x.size, LIMITS);
        expect(groups.flat()).toEqual(items);
        for (const g of groups) {
          expect(g.length).toBeGreaterThan(0);
          expect(g.length).toBeLessThanOrEqual(LIMITS.maxCount);
          expect(g.reduce((n, x) => n + x.size, 0)).toBeLessThanOrEqual(LIMITS.maxBytes);
        }
      }),
    );
  });

  it("fills groups: 250 small messages make 100, 100 and 50", () => {
    const groups = sendGroups(
      Array.from({ length: 250 }, () => 1000),
      (n) => n,
      LIMITS,
    );
    expect(groups.map((g) => g.length)).toEqual([100, 100, 50]);
  });

  it("sends a message larger than the byte limit alone", () => {
    const groups = sendGroups([10, 300_000, 10], (n) => n, LIMITS);
    expect(groups).toEqual([[10], [300_000], [10]]);
  });

  it("makes no group of nothing", () => {
    expect(sendGroups([], (n: number) => n, LIMITS)).toEqual([]);
  });
});

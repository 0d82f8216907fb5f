// A cost budget with room for about 50 requests, under a burst of 200 (see limits-burst.ts).
import { describe, expect, it } from "vitest";
import { createUser, profileHeaders } from "./helpers";
import { addLimit, burst, settledRows, setUpBurst, WORST_COST } from "./limits-burst";

const ctx = setUpBurst();

describe("a cost budget with room for about 50 requests", () => {
  it("admits no more than it allows out of 200 concurrent requests", {
    timeout: 30_000,
  }, async () => {
    const member = await createUser(ctx.a, "burst-cost@acme.test");
    const { headers } = await profileHeaders(member, ctx.proxyId);
    const budget = WORST_COST * 50 + WORST_COST / 2;
    await addLimit(ctx.a, member.id, "cost", "day", budget);

    const results = await burst(ctx.proxyId, headers, 200);
    const admitted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 402);
    expect(admitted.length + refused.length).toBe(200);
    const rows = await settledRows(member.id, admitted.length);
    const settled = rows.filter((r) => r.status === 200).reduce((sum, r) => sum + r.cost, 0);
    console.log(
      `cost budget ${budget} µ$, worst case ${WORST_COST} µ$/request: ${admitted.length} admitted, ${refused.length} refused (402), settled ${settled} µ$`,
    );
    // Admission never promised more than the budget: ⌊budget / worst case⌋ at once.
    expect(admitted.length).toBe(Math.floor(budget / WORST_COST));
    expect(settled).toBeLessThanOrEqual(budget);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(admitted.length);
    const sample = JSON.parse(refused[0]?.body ?? "{}");
    expect(sample.error.type).toBe("billing_error");
    expect(sample.error.message).toMatch(/Gatehouse blocked this request \(not the provider\)/);
    expect(sample.error.message).toMatch(/resets at \d{4}-\d\d-\d\dT/);
    expect(admitted[0]?.headers.get("x-gatehouse-limit-remaining")).toMatch(/^\$/);
  });
});

// A token rate limit with room for about 50 requests, under a burst of 200 (see limits-burst.ts).
import { describe, expect, it } from "vitest";
import { createUser, profileHeaders } from "./helpers";
import { addLimit, burst, settledRows, setUpBurst, WORST_TOKENS } from "./limits-burst";

const ctx = setUpBurst();

describe("a token rate limit with room for about 50 requests", () => {
  it("answers the rest with 429 and retry-after, and never passes the limit", {
    timeout: 30_000,
  }, async () => {
    const member = await createUser(ctx.a, "burst-tokens@acme.test");
    const { headers } = await profileHeaders(member, ctx.proxyId);
    const limit = WORST_TOKENS * 50;
    await addLimit(ctx.a, member.id, "tokens", "minute", limit);

    const results = await burst(ctx.proxyId, headers, 200);
    const admitted = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(admitted.length + limited.length).toBe(200);
    const rows = await settledRows(member.id, admitted.length);
    const used = rows.filter((r) => r.status === 200).reduce((sum, r) => sum + r.tokens, 0);
    console.log(
      `token limit ${limit}/min, worst case ${WORST_TOKENS} tokens/request: ${admitted.length} admitted, ${limited.length} limited (429), settled ${used} tokens`,
    );
    expect(admitted.length).toBe(Math.floor(limit / WORST_TOKENS));
    expect(used).toBeLessThanOrEqual(limit);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.parse(limited[0]?.body ?? "{}").error.type).toBe("rate_limit_error");
  });
});

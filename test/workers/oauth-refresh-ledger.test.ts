// The reuse ledger's bookkeeping, as pure functions (the behaviour through /token is in
// oauth-refresh-reuse.test.ts): what is remembered, for how long, and how much.
import { describe, expect, it } from "vitest";
import {
  EMPTY_LEDGER,
  judgeRefresh,
  LEDGER_MAX_TOKENS,
  REFRESH_RETRY_GRACE_MS,
  type RefreshLedger,
  recordIssued,
  recordUse,
} from "../../workers/oauth/refresh-ledger";

const hash = (n: number) => n.toString(16).padStart(64, "0");

describe("the refresh ledger", () => {
  it("keeps a token's first use: a later retry does not move it", () => {
    const once = recordUse(EMPTY_LEDGER, hash(1), 1_000);
    const twice = recordUse(once, hash(1), 50_000);
    expect(twice.tokens).toEqual([{ id: hash(1), parent: null, usedAt: 1_000 }]);
  });

  it("keeps the newest tokens only, up to its cap", () => {
    let ledger: RefreshLedger = EMPTY_LEDGER;
    for (let n = 1; n <= LEDGER_MAX_TOKENS + 10; n++) {
      ledger = recordIssued(recordUse(ledger, hash(n), n), hash(n), hash(n + 1));
    }
    expect(ledger.tokens).toHaveLength(LEDGER_MAX_TOKENS);
    expect(ledger.tokens.at(-1)?.id).toBe(hash(LEDGER_MAX_TOKENS + 11));
    expect(ledger.tokens.some((t) => t.id === hash(1))).toBe(false);
  });

  it("judges the previous token by its first use and the grace", () => {
    const grant = { current: hash(2), previous: hash(1) };
    const ledger = recordIssued(recordUse(EMPTY_LEDGER, hash(1), 0), hash(1), hash(2));
    expect(judgeRefresh(hash(2), grant, ledger, 10)).toEqual({ kind: "accept" });
    expect(judgeRefresh(hash(1), grant, ledger, REFRESH_RETRY_GRACE_MS)).toEqual({
      kind: "accept",
    });
    expect(judgeRefresh(hash(1), grant, ledger, REFRESH_RETRY_GRACE_MS + 1)).toEqual({
      kind: "replay",
      reason: "previous_after_grace",
    });
    expect(judgeRefresh(hash(1), grant, EMPTY_LEDGER, 10)).toEqual({
      kind: "replay",
      reason: "previous_after_grace",
    });
    const successorUsed = recordUse(ledger, hash(2), 5);
    expect(judgeRefresh(hash(1), grant, successorUsed, 10)).toEqual({
      kind: "replay",
      reason: "successor_used",
    });
    expect(judgeRefresh(hash(9), grant, ledger, 10)).toEqual({ kind: "unknown" });
  });
});

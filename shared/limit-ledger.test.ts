import { describe, expect, it } from "vitest";
import { type Charge, emptyLedger, LimitLedger, type LimitRule } from "./limit-ledger";

const budget: LimitRule = {
  id: "lim_cost",
  name: "Daily budget",
  metric: "cost",
  window: "day",
  amount: 1_000,
  version: 1,
};
const perMinute: LimitRule = {
  id: "lim_rpm",
  name: "Requests per minute",
  metric: "requests",
  window: "minute",
  amount: 3,
  version: 1,
};
const charge = (cost: number, tokens = 0, requests = 1): Charge => ({ cost, tokens, requests });
const NOON = Date.parse("2026-11-24T12:00:00Z");

describe("reservations", () => {
  it("admits worst cases only while they fit, and settles to the real figure", () => {
    const ledger = new LimitLedger(emptyLedger(), "UTC");
    const admitted = Array.from({ length: 10 }, (_, i) =>
      ledger.reserve(`r${i}`, [budget], charge(300), NOON),
    ).filter((r) => r.ok).length;
    expect(admitted).toBe(3);
    expect(ledger.view(budget, NOON)).toMatchObject({ used: 0, reserved: 900, remaining: 100 });
    ledger.settle("r0", charge(50), NOON);
    expect(ledger.view(budget, NOON)).toMatchObject({ used: 50, reserved: 600, remaining: 350 });
    ledger.release("r1");
    expect(ledger.view(budget, NOON)).toMatchObject({ used: 50, reserved: 300, remaining: 650 });
  });

  it("reserves against all limits or none", () => {
    const ledger = new LimitLedger(emptyLedger(), "UTC");
    expect(ledger.reserve("a", [budget, perMinute], charge(900), NOON).ok).toBe(true);
    const refused = ledger.reserve("b", [perMinute, budget], charge(200), NOON);
    expect(refused).toMatchObject({ ok: false, refused: { limitId: "lim_cost" }, needed: 200 });
    // The request-rate hold of the refused request was not kept.
    expect(ledger.view(perMinute, NOON).reserved).toBe(1);
  });

  it("starts a calendar window afresh, and a new version afresh", () => {
    const ledger = new LimitLedger(emptyLedger(), "UTC");
    ledger.reserve("a", [budget], charge(1_000), NOON);
    ledger.settle("a", charge(1_000), NOON);
    expect(ledger.reserve("b", [budget], charge(1), NOON).ok).toBe(false);
    const tomorrow = NOON + 24 * 3_600_000;
    expect(ledger.view(budget, tomorrow)).toMatchObject({ used: 0, remaining: 1_000 });
    expect(ledger.reserve("c", [{ ...budget, version: 2 }], charge(1), NOON).ok).toBe(true);
  });

  it("lets a rolling window's usage slide out bucket by bucket", () => {
    const ledger = new LimitLedger(emptyLedger(), "UTC");
    for (const [i, at] of [NOON, NOON + 10_000, NOON + 20_000].entries()) {
      expect(ledger.reserve(`r${i}`, [perMinute], charge(0), at).ok).toBe(true);
      ledger.settle(`r${i}`, charge(0), at);
    }
    const full = ledger.reserve("x", [perMinute], charge(0), NOON + 30_000);
    expect(full).toMatchObject({ ok: false, refused: { resetAt: NOON + 60_000 } });
    expect(ledger.reserve("y", [perMinute], charge(0), NOON + 60_000).ok).toBe(true);
  });

  it("drops usage settled for a window that has since reset", () => {
    const ledger = new LimitLedger(emptyLedger(), "UTC");
    ledger.reserve("late", [budget], charge(500), NOON);
    const tomorrow = NOON + 24 * 3_600_000;
    ledger.settle("late", charge(500), tomorrow);
    expect(ledger.view(budget, tomorrow).used).toBe(0);
  });
});

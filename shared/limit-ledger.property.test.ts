// Properties of the limit ledger under arbitrary sequences of reservations, settlements,
// releases and time passing across windows: a limit is never overshot by what it admitted,
// admission refuses only what would not fit, a settlement counts once, and no hold outlives
// its request.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Charge,
  emptyLedger,
  HOLD_TTL_MS,
  type LedgerState,
  LimitLedger,
  type LimitMetric,
  type LimitRule,
  type LimitView,
} from "./limit-ledger";
import { calendarWindow, type LimitWindow, ROLLING_BUCKETS, rollingMs } from "./limit-windows";

const RULE_SHAPES: readonly [LimitMetric, LimitWindow][] = [
  ["cost", "day"],
  ["tokens", "minute"],
  ["requests", "hour"],
  ["cost", "month"],
  ["tokens", "week"],
];

const rules: fc.Arbitrary<LimitRule[]> = fc
  .tuple(
    ...RULE_SHAPES.map(([metric]) =>
      // Mostly room for a few requests, sometimes none at all.
      fc.oneof(
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 6, arbitrary: fc.integer({ min: 1, max: metric === "requests" ? 20 : 3_000 }) },
      ),
    ),
  )
  .map((amounts) =>
    RULE_SHAPES.map(([metric, window], i) => ({
      id: `lim_${i}`,
      name: `${metric} per ${window}`,
      metric,
      window,
      amount: amounts[i] ?? 0,
      version: 1,
    })),
  );

type Op =
  | { op: "reserve"; ruleMask: number; worst: Charge }
  | { op: "settle"; request: number; percent: number }
  | { op: "release"; request: number }
  | { op: "wait"; ms: number }
  /** To just before or after the next reset of a calendar window (never back in time). */
  | { op: "toReset"; window: LimitWindow; offset: number };

const amount = fc.integer({ min: 0, max: 400 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("reserve" as const),
      ruleMask: fc.integer({ min: 0, max: 2 ** RULE_SHAPES.length - 1 }),
      worst: fc.record({ cost: amount, tokens: amount, requests: fc.integer({ min: 0, max: 1 }) }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("settle" as const),
      request: fc.nat({ max: 9 }),
      // The real figure as a share of the worst case: a request never costs more.
      percent: fc.integer({ min: 0, max: 100 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("release" as const), request: fc.nat({ max: 9 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("wait" as const),
      ms: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
        { weight: 2, arbitrary: fc.integer({ min: 0, max: HOLD_TTL_MS }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(60_000, 3_600_000, 86_400_000, HOLD_TTL_MS + 1, 604_800_000),
        },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 * 86_400_000 }) },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("toReset" as const),
      window: fc.constantFrom<LimitWindow>("day", "day", "week", "month"),
      offset: fc.oneof(
        fc.integer({ min: -10 * 60_000, max: -1 }),
        fc.integer({ min: 0, max: 2 * 60_000 }),
      ),
    }),
  },
);

const timeZone = fc.constantFrom("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata");
// 2026–2027, so DST changes and month ends fall inside runs.
const start = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) });

const metricOf = (c: Charge, m: LimitMetric) =>
  m === "cost" ? c.cost : m === "tokens" ? c.tokens : c.requests;

function scaled(worst: Charge, percent: number): Charge {
  return {
    cost: Math.floor((worst.cost * percent) / 100),
    tokens: Math.floor((worst.tokens * percent) / 100),
    requests: worst.requests,
  };
}

/** Whether usage of a hold made at `at` still belongs to the rule's window at `now`. */
function sameWindow(rule: LimitRule, at: number, now: number, tz: string): boolean {
  const span = rollingMs(rule.window);
  if (span === undefined) {
    return calendarWindow(rule.window, at, tz).start === calendarWindow(rule.window, now, tz).start;
  }
  const bucket = span / ROLLING_BUCKETS;
  return Math.floor(at / bucket) >= Math.floor(now / bucket) - ROLLING_BUCKETS + 1;
}

interface Request {
  id: string;
  at: number;
  rules: LimitRule[];
  worst: Charge;
}

class Harness {
  readonly state: LedgerState = emptyLedger();
  readonly ledger: LimitLedger;
  readonly requests: Request[] = [];
  now: number;

  constructor(
    readonly rules: LimitRule[],
    readonly tz: string,
    now: number,
  ) {
    this.ledger = new LimitLedger(this.state, tz);
    this.now = now;
  }

  /**
   * Even numbers pick among the requests still holding a reservation (counting back from the
   * latest), odd ones among all of them (refused, settled and released ones too).
   */
  pick(n: number): Request | undefined {
    const live = this.requests.filter((r) => this.state.holds[r.id] !== undefined);
    const from = n % 2 === 0 && live.length > 0 ? live : this.requests;
    return from[from.length - 1 - (Math.floor(n / 2) % Math.max(1, from.length))];
  }

  views(): LimitView[] {
    return this.rules.map((r) => this.ledger.view(r, this.now));
  }

  /** The ledger's own accounting never shows a limit passed. */
  checkNoOvershoot(): void {
    for (const v of this.views()) {
      expect(v.used + v.reserved, `${v.name}: used + reserved`).toBeLessThanOrEqual(v.amount);
    }
  }

  reserve(ruleMask: number, worst: Charge): void {
    const chosen = this.rules.filter((_, i) => ruleMask & (1 << i));
    const id = `req_${this.requests.length}`;
    const before = this.views();
    const fits = chosen.every((r) => {
      const v = before.find((b) => b.limitId === r.id);
      return v !== undefined && metricOf(worst, r.metric) <= v.remaining;
    });
    const result = this.ledger.reserve(id, chosen, worst, this.now);
    expect(result.ok, "admits exactly what fits").toBe(fits);
    const after = this.views();
    for (const [i, rule] of this.rules.entries()) {
      const held = result.ok && chosen.includes(rule) ? metricOf(worst, rule.metric) : 0;
      expect(after[i]?.reserved).toBe((before[i]?.reserved ?? 0) + held);
      expect(after[i]?.used).toBe(before[i]?.used);
    }
    if (!result.ok) expect(this.state.holds[id]).toBeUndefined();
    this.requests.push({ id, at: this.now, rules: chosen, worst });
  }

  settle(index: number, percent: number): void {
    const request = this.pick(index);
    if (!request) return;
    const actual = scaled(request.worst, percent);
    const before = this.views();
    // Looking drops holds past their TTL (a crashed isolate's); what is left is still held.
    const holding = this.state.holds[request.id] !== undefined;
    this.ledger.settle(request.id, actual, this.now);
    const after = this.views();
    for (const [i, rule] of this.rules.entries()) {
      const held = holding && request.rules.includes(rule);
      // Usage counts only in the window the request started in; a rolling window holds a
      // request's reservation until it ends, a calendar window only while it lasts.
      const current = held && sameWindow(rule, request.at, this.now, this.tz);
      const shown = rollingMs(rule.window) === undefined ? current : held;
      const used = (before[i]?.used ?? 0) + (current ? metricOf(actual, rule.metric) : 0);
      const reserved =
        (before[i]?.reserved ?? 0) - (shown ? metricOf(request.worst, rule.metric) : 0);
      expect(after[i]?.used, `${rule.name} used`).toBe(used);
      expect(after[i]?.reserved, `${rule.name} reserved`).toBe(reserved);
    }
    expect(this.state.holds[request.id]).toBeUndefined();
    // Settling again (a retried call) changes nothing.
    this.ledger.settle(request.id, actual, this.now);
    expect(this.views()).toEqual(after);
  }

  release(index: number): void {
    const request = this.pick(index);
    if (!request) return;
    const before = this.views();
    this.ledger.release(request.id);
    const after = this.views();
    for (const [i, v] of after.entries()) {
      expect(v.used).toBe(before[i]?.used);
      expect(v.reserved).toBeLessThanOrEqual(before[i]?.reserved ?? 0);
    }
    expect(this.state.holds[request.id]).toBeUndefined();
  }

  toReset(window: LimitWindow, offset: number): void {
    this.now = Math.max(this.now, calendarWindow(window, this.now, this.tz).end + offset);
  }

  /** Every request ends (settled or released): nothing may stay held. */
  finish(): void {
    for (const [i, request] of this.requests.entries()) {
      if (i % 2 === 0) this.ledger.settle(request.id, request.worst, this.now);
      else this.ledger.release(request.id);
    }
    for (const v of this.views()) expect(v.reserved, `${v.name} reserved`).toBe(0);
    expect(Object.keys(this.state.holds)).toEqual([]);
  }
}

describe("LimitLedger properties", () => {
  it("never overshoots, admits what fits, settles once and leaks no hold", () => {
    fc.assert(
      fc.property(
        rules,
        timeZone,
        start,
        fc.array(opArb, { minLength: 10, maxLength: 60, size: "max" }),
        (ruleSet, tz, t0, ops) => {
          const h = new Harness(ruleSet, tz, t0);
          for (const op of ops) {
            if (op.op === "reserve") h.reserve(op.ruleMask, op.worst);
            else if (op.op === "settle") h.settle(op.request, op.percent);
            else if (op.op === "release") h.release(op.request);
            else if (op.op === "wait") h.now += op.ms;
            else h.toReset(op.window, op.offset);
            h.checkNoOvershoot();
          }
          h.finish();
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);
});

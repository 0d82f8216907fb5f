// The arithmetic of budgets and rate limits, kept by the Durable Object that owns them.
// Admission reserves a request's worst case against every applicable limit at once, or
// against none; settling swaps the reservation for the real figure. Because one object
// owns a limit and decides synchronously, N concurrent requests can never together pass a
// limit by more than the reservations it admitted.
import { calendarWindow, type LimitWindow, ROLLING_BUCKETS, rollingMs } from "./limit-windows";

export type LimitMetric = "cost" | "tokens" | "requests";

export interface LimitRule {
  id: string;
  name: string;
  metric: LimitMetric;
  window: LimitWindow;
  /** µ$ for cost, a count for tokens and requests. */
  amount: number;
  /** Bumped when the window is edited: usage starts afresh. */
  version: number;
}

/** What a request costs (or may cost, when reserving) in each metric. */
export interface Charge {
  cost: number;
  tokens: number;
  requests: number;
}

export interface LimitView {
  limitId: string;
  name: string;
  metric: LimitMetric;
  amount: number;
  used: number;
  reserved: number;
  remaining: number;
  resetAt: number;
}

export type Reservation =
  | { ok: true; views: LimitView[] }
  | { ok: false; refused: LimitView; needed: number };

interface WindowState {
  key: string;
  used: number;
  /** Rolling windows: usage per bucket index (time / bucket length). */
  buckets?: Record<string, number>;
}

interface Hold {
  limitId: string;
  key: string;
  amount: number;
  metric: LimitMetric;
  window: LimitWindow;
  at: number;
}

export interface LedgerState {
  windows: Record<string, WindowState>;
  holds: Record<string, Hold[]>;
}

/** A hold whose request never settled (a crashed isolate) stops counting after this. */
export const HOLD_TTL_MS = 30 * 60_000;

export function emptyLedger(): LedgerState {
  return { windows: {}, holds: {} };
}

const charged = (c: Charge, metric: LimitMetric) =>
  metric === "cost" ? c.cost : metric === "tokens" ? c.tokens : c.requests;

export class LimitLedger {
  constructor(
    private readonly state: LedgerState,
    private readonly timeZone: string,
  ) {}

  /** Current window of a rule: its key, settled usage and reset time (old usage dropped). */
  #window(rule: LimitRule, now: number) {
    const span = rollingMs(rule.window);
    if (span !== undefined) {
      const key = `${rule.version}:rolling`;
      const state = this.#stateFor(rule.id, key);
      const bucketMs = span / ROLLING_BUCKETS;
      const oldest = Math.floor(now / bucketMs) - ROLLING_BUCKETS + 1;
      let used = 0;
      let first = Number.POSITIVE_INFINITY;
      const buckets = state.buckets ?? {};
      for (const [index, amount] of Object.entries(buckets)) {
        const i = Number(index);
        if (i < oldest) delete buckets[index];
        else {
          used += amount;
          first = Math.min(first, i);
        }
      }
      state.buckets = buckets;
      state.used = used;
      // Room comes back as the oldest bucket slides out of the window.
      const resetAt = Number.isFinite(first) ? (first + ROLLING_BUCKETS) * bucketMs : now + span;
      return { key, state, resetAt };
    }
    const { start, end } = calendarWindow(rule.window, now, this.timeZone);
    const key = `${rule.version}:${start}`;
    return { key, state: this.#stateFor(rule.id, key), resetAt: end };
  }

  #stateFor(limitId: string, key: string): WindowState {
    const current = this.state.windows[limitId];
    if (current && current.key === key) return current;
    const fresh: WindowState = { key, used: 0 };
    this.state.windows[limitId] = fresh;
    return fresh;
  }

  #reserved(limitId: string, key: string, now: number): number {
    let total = 0;
    for (const [requestId, holds] of Object.entries(this.state.holds)) {
      if (holds.some((h) => now - h.at > HOLD_TTL_MS)) {
        delete this.state.holds[requestId];
        continue;
      }
      for (const h of holds) if (h.limitId === limitId && h.key === key) total += h.amount;
    }
    return total;
  }

  view(rule: LimitRule, now: number): LimitView {
    const { key, state, resetAt } = this.#window(rule, now);
    const reserved = this.#reserved(rule.id, key, now);
    return {
      limitId: rule.id,
      name: rule.name,
      metric: rule.metric,
      amount: rule.amount,
      used: state.used,
      reserved,
      remaining: Math.max(0, rule.amount - state.used - reserved),
      resetAt,
    };
  }

  /** Reserves `worstCase` against every rule, or against none if any lacks room. */
  reserve(requestId: string, rules: readonly LimitRule[], worstCase: Charge, now: number) {
    const views: LimitView[] = [];
    const holds: Hold[] = [];
    for (const rule of rules) {
      const view = this.view(rule, now);
      const needed = charged(worstCase, rule.metric);
      if (needed > view.remaining) return { ok: false, refused: view, needed } as Reservation;
      const { key } = this.#window(rule, now);
      holds.push({
        limitId: rule.id,
        key,
        amount: needed,
        metric: rule.metric,
        window: rule.window,
        at: now,
      });
      views.push({ ...view, reserved: view.reserved + needed, remaining: view.remaining - needed });
    }
    if (holds.length > 0) this.state.holds[requestId] = holds;
    return { ok: true, views } as Reservation;
  }

  /** Replaces the request's reservations by what it really used. */
  settle(requestId: string, actual: Charge, now: number): void {
    const holds = this.state.holds[requestId];
    if (!holds) return;
    delete this.state.holds[requestId];
    for (const hold of holds) {
      const state = this.state.windows[hold.limitId];
      // Usage belongs to the window the request started in; a window since reset drops it.
      if (!state || state.key !== hold.key) continue;
      const amount = charged(actual, hold.metric);
      const span = rollingMs(hold.window);
      if (span === undefined) {
        state.used += amount;
        continue;
      }
      const bucketMs = span / ROLLING_BUCKETS;
      const index = String(Math.floor(hold.at / bucketMs));
      if (Math.floor(hold.at / bucketMs) < Math.floor(now / bucketMs) - ROLLING_BUCKETS + 1)
        continue;
      state.buckets ??= {};
      state.buckets[index] = (state.buckets[index] ?? 0) + amount;
      state.used += amount;
    }
  }

  release(requestId: string): void {
    delete this.state.holds[requestId];
  }
}

// Turning GET /api/usage rows into what the page shows: a gap-free daily series, totals, and
// per-user/model/proxy rows with metered spend and the subscription estimate kept apart.
import type { UsageRow, UsageTotals } from "../../../../shared/api-types";

export const RANGES = [7, 30, 90] as const;
export type RangeDays = (typeof RANGES)[number];

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included, as the API's from/to. */
export function rangeQuery(days: RangeDays, now = Date.now()): { from: string; to: string } {
  return { from: isoDay(now - (days - 1) * DAY_MS), to: isoDay(now) };
}

/** Every UTC day from `from` to `to`, inclusive, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(to);
  for (let t = Date.parse(from); t <= end && out.length < 400; t += DAY_MS) out.push(isoDay(t));
  return out;
}

export interface Spend {
  /** Billed: what metered requests cost. */
  meteredMicroUsd: number;
  /** Not billed: subscription requests priced at list price. */
  subscriptionMicroUsd: number;
  requests: number;
  tokens: number;
  unpricedRequests: number;
}

export const emptySpend = (): Spend => ({
  meteredMicroUsd: 0,
  subscriptionMicroUsd: 0,
  requests: 0,
  tokens: 0,
  unpricedRequests: 0,
});

export const totalTokens = (r: UsageTotals) =>
  r.inputTokens + r.outputTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens + r.cacheReadTokens;

/** Adds one row (grouped by billingMode among others) into a running Spend. */
export function addRow(into: Spend, row: UsageRow): Spend {
  if (row.billingMode === "subscription") into.subscriptionMicroUsd += row.listCostMicroUsd;
  else into.meteredMicroUsd += row.costMicroUsd;
  into.requests += row.requests;
  into.tokens += totalTokens(row);
  into.unpricedRequests += row.unpricedRequests;
  return into;
}

export function sumRows(rows: UsageRow[]): Spend {
  return rows.reduce(addRow, emptySpend());
}

export interface DailySpend extends Spend {
  day: string;
}

/** One entry per day of the range, zero where nothing was used. */
export function dailySeries(rows: UsageRow[], from: string, to: string): DailySpend[] {
  const byDay = new Map<string, Spend>();
  for (const row of rows) {
    const day = row.day ?? "";
    byDay.set(day, addRow(byDay.get(day) ?? emptySpend(), row));
  }
  return daysBetween(from, to).map((day) => ({ day, ...(byDay.get(day) ?? emptySpend()) }));
}

export interface GroupSpend extends Spend {
  /** The id ("" when the requests had none, e.g. anonymous requests). */
  key: string;
}

/** Rows folded by one dimension, the largest spend (metered, then estimate) first. */
export function groupSpend(
  rows: UsageRow[],
  dimension: "user" | "team" | "model" | "proxy" | "key",
): GroupSpend[] {
  const byKey = new Map<string, Spend>();
  for (const row of rows) {
    const key = row[dimension] ?? "";
    byKey.set(key, addRow(byKey.get(key) ?? emptySpend(), row));
  }
  return [...byKey.entries()]
    .map(([key, spend]) => ({ key, ...spend }))
    .sort(
      (a, b) =>
        b.meteredMicroUsd - a.meteredMicroUsd ||
        b.subscriptionMicroUsd - a.subscriptionMicroUsd ||
        b.requests - a.requests,
    );
}

/** "24 Nov" for a YYYY-MM-DD UTC day. */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

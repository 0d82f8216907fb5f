// The page's view lives in the URL query, so a view can be shared, reloaded and returned to:
// a range (the last hour, 24 hours or 7 days; or a custom `from`/`to` in epoch ms) and the
// filters (person, agent, model, proxy, gateway).
import { useLocation } from "preact-iso";

export const RANGES = {
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "24 hours", ms: 86_400_000 },
  "7d": { label: "7 days", ms: 7 * 86_400_000 },
} as const;
export type RangeKey = keyof typeof RANGES;
const DEFAULT_RANGE: RangeKey = "24h";

export const FILTER_KEYS = ["userId", "agentId", "model", "proxyId", "gatewayId"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Record<FilterKey, string>;

export interface View {
  range: RangeKey | "custom";
  /** Set for a custom range only. */
  from?: number;
  to?: number;
  filters: Filters;
}

const isRange = (v: string | undefined): v is RangeKey => v !== undefined && v in RANGES;
const instant = (v: string | undefined) => {
  const n = v === undefined || v === "" ? Number.NaN : Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

export function viewOf(query: Record<string, string>): View {
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, query[k] ?? ""])) as Filters;
  const from = instant(query.from);
  const to = instant(query.to);
  if (from !== undefined && to !== undefined && !isRange(query.range)) {
    return { range: "custom", from, to, filters };
  }
  return { range: isRange(query.range) ? query.range : DEFAULT_RANGE, filters };
}

/** The URL query of a view: only what differs from the defaults. */
export function queryOf(view: View): string {
  const params = new URLSearchParams();
  if (view.range === "custom") {
    params.set("from", String(view.from ?? ""));
    params.set("to", String(view.to ?? ""));
  } else if (view.range !== DEFAULT_RANGE) {
    params.set("range", view.range);
  }
  for (const k of FILTER_KEYS) if (view.filters[k]) params.set(k, view.filters[k]);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The range to ask for now: a relative range ends at this moment. */
export function rangeOf(view: View, now = Date.now()): { from: number; to: number } {
  if (view.range === "custom") return { from: view.from ?? now, to: view.to ?? now };
  return { from: now - RANGES[view.range].ms, to: now };
}

export const hasFilters = (f: Filters) => FILTER_KEYS.some((k) => f[k] !== "");

export function useView() {
  const { query, route } = useLocation();
  const view = viewOf(query);
  const setView = (next: View) => route(`/observability${queryOf(next)}`, true);
  return { view, setView, search: queryOf(view) };
}

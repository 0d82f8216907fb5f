// How a limit reads: its scope, its amount per window, and its usage so far.
import type { LimitMetric, LimitView, LimitWindow } from "../../../../shared/api-types";
import { formatCount, formatMicroUsd } from "../../lib/format";
import { type Directory, keyName, proxyName, teamName, userName } from "./directory";

export const WINDOWS: LimitWindow[] = ["minute", "hour", "day", "week", "month"];

export const METRICS: { value: LimitMetric; label: string }[] = [
  { value: "cost", label: "Spend (USD)" },
  { value: "tokens", label: "Tokens" },
  { value: "requests", label: "Requests" },
];

/** An amount of a metric: µ$ for cost, else a count. */
export function formatAmount(metric: LimitMetric, amount: number): string {
  if (metric === "cost") return formatMicroUsd(amount);
  const unit = metric === "tokens" ? "token" : "request";
  return `${formatCount(amount)} ${amount === 1 ? unit : `${unit}s`}`;
}

/** "$50.00 per month", "100,000 tokens per minute". */
export function describeRule(limit: Pick<LimitView, "metric" | "amount" | "window">): string {
  return `${formatAmount(limit.metric, limit.amount)} per ${limit.window}`;
}

export function describeScope(limit: LimitView, dir: Directory): string {
  const id = limit.scopeId ?? "";
  switch (limit.scope) {
    case "organisation":
      return "Organisation";
    case "default_user":
      return "Default per user";
    case "user":
      return `User ${userName(dir, id)}`;
    case "virtual_key":
      return `Virtual key ${keyName(dir, id)}`;
    case "llm_proxy":
      return `LLM proxy ${proxyName(dir, id)}`;
    case "team":
      return `Team ${teamName(dir, id)}`;
  }
}

export function describeModels(models: string[] | null): string {
  return models && models.length > 0 ? models.join(", ") : "All models";
}

/** How full a limit is, in percent of its amount (used plus held by requests in flight). */
export function percentUsed(limit: LimitView): number | null {
  if (!limit.usage || limit.amount <= 0) return null;
  return ((limit.usage.used + limit.usage.reserved) / limit.amount) * 100;
}

export function toneFor(percent: number): "" | "warn" | "bad" {
  if (percent >= 100) return "bad";
  if (percent >= 80) return "warn";
  return "";
}

// How the Observability page names and colours outcomes, and reads durations and rates.
import type { RequestOutcome } from "../../../../shared/api-types";

export { formatDuration, OUTCOMES as TOOL_OUTCOMES } from "../mcp-logs/labels";

type Tone = "good" | "warn" | "bad" | "neutral" | "info";

/** In stacking order (bottom first); colours are the charts' and the legends' swatches. */
export const REQUEST_OUTCOMES: Record<
  RequestOutcome,
  { label: string; short: string; tone: Tone; color: string; hint: string }
> = {
  ok: { label: "OK", short: "OK", tone: "good", color: "#0d9488", hint: "Answered" },
  client_error: {
    label: "Client error",
    short: "Client error",
    tone: "warn",
    color: "#d97706",
    hint: "The provider refused the request (4xx)",
  },
  server_error: {
    label: "Server error",
    short: "Server error",
    tone: "bad",
    color: "#dc2626",
    hint: "Failed upstream, cut off or ended by an error event",
  },
  refused: {
    label: "Refused by the gateway",
    short: "Refused",
    tone: "info",
    color: "#6d28d9",
    hint: "A limit, a model not allowed or a bad request, before the provider was asked",
  },
  client_gone: {
    label: "Client went away",
    short: "Client gone",
    tone: "neutral",
    color: "#9ca3af",
    hint: "The client closed the connection before the answer ended",
  },
};

export const TOOL_COLORS = {
  ok: "#0d9488",
  tool_error: "#d97706",
  upstream_error: "#dc2626",
  timeout: "#b91c1c",
  refused: "#6d28d9",
} as const;

/** A duration in ms that may be missing. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return "—";
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} tokens/s`;
}

export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return "—";
  const p = (part / whole) * 100;
  return `${p > 0 && p < 0.1 ? "<0.1" : p.toFixed(p < 10 ? 1 : 0)}%`;
}

// How MCP tool calls read: outcomes by name and colour, sizes, durations.
import type { McpCallOutcome } from "../../../../shared/api-types";

export const OUTCOMES: Record<McpCallOutcome, { label: string; tone: "good" | "warn" | "bad" }> = {
  ok: { label: "OK", tone: "good" },
  tool_error: { label: "Tool error", tone: "warn" },
  upstream_error: { label: "Upstream error", tone: "bad" },
  timeout: { label: "Timed out", tone: "bad" },
  refused: { label: "Refused", tone: "warn" },
};

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

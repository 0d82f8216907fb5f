// The MCP tool-call log as the page shows it: its filters, and the calls for them in cursor
// pages (see use-cursor-pages).
import type {
  McpCallOutcome,
  McpToolCallPage,
  McpToolCallView,
} from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useCursorPages } from "../../lib/use-cursor-pages";

export interface McpLogFilters {
  userId: string;
  gatewayId: string;
  serverId: string;
  tool: string;
  outcome: "" | McpCallOutcome;
  /** datetime-local values, in the browser's time zone; empty: unbounded. */
  from: string;
  to: string;
}

export const NO_FILTERS: McpLogFilters = {
  userId: "",
  gatewayId: "",
  serverId: "",
  tool: "",
  outcome: "",
  from: "",
  to: "",
};

export const hasFilters = (f: McpLogFilters) =>
  Object.values({ ...f, tool: f.tool.trim() }).some(Boolean);

const PAGE_SIZE = 50;

/** A datetime-local value as epoch milliseconds; undefined when empty or not a time. */
function instant(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

function fetchPage(f: McpLogFilters, cursor?: string): Promise<McpToolCallPage> {
  return api.get<McpToolCallPage>("/logs/mcp", {
    userId: f.userId || undefined,
    gatewayId: f.gatewayId || undefined,
    serverId: f.serverId || undefined,
    tool: f.tool.trim() || undefined,
    outcome: f.outcome || undefined,
    from: instant(f.from),
    to: instant(f.to),
    limit: PAGE_SIZE,
    cursor,
  });
}

export function useMcpLog(filters: McpLogFilters) {
  const { list, reload, loadMore } = useCursorPages<McpToolCallView>(
    (cursor) => fetchPage(filters, cursor),
    // One key for the filter values, so a new but equal object does not reload.
    JSON.stringify(filters),
  );
  return { log: list, reload, loadMore };
}

// The MCP tool-call log as the page shows it: the newest page for the current filters, then
// older pages appended with the API's cursor. A change of filters starts again from the newest.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type {
  McpCallOutcome,
  McpToolCallPage,
  McpToolCallView,
} from "../../../../shared/api-types";
import { api, errorMessage } from "../../lib/api";

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

export type McpLog =
  | { state: "loading" }
  | { state: "error"; message: string }
  | {
      state: "ready";
      calls: McpToolCallView[];
      nextCursor: string | null;
      loadingMore: boolean;
      moreError: string | null;
      refreshing: boolean;
    };

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
  const [log, setLog] = useState<McpLog>({ state: "loading" });
  const generation = useRef(0);
  // One key for the filter values, so a new but equal object does not reload.
  const key = JSON.stringify(filters);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    const f = JSON.parse(key) as McpLogFilters;
    setLog((current) =>
      current.state === "ready" ? { ...current, refreshing: true } : { state: "loading" },
    );
    fetchPage(f).then(
      (page) => {
        if (mine !== generation.current) return;
        setLog({
          state: "ready",
          calls: page.data,
          nextCursor: page.nextCursor,
          loadingMore: false,
          moreError: null,
          refreshing: false,
        });
      },
      (err: unknown) => {
        if (mine === generation.current) setLog({ state: "error", message: errorMessage(err) });
      },
    );
  }, [key]);

  useEffect(() => {
    setLog({ state: "loading" });
    reload();
  }, [reload]);

  const loadMore = () => {
    if (log.state !== "ready" || !log.nextCursor || log.loadingMore) return;
    const mine = generation.current;
    setLog({ ...log, loadingMore: true, moreError: null });
    fetchPage(filters, log.nextCursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setLog((current) =>
          current.state === "ready"
            ? {
                ...current,
                calls: [...current.calls, ...page.data],
                nextCursor: page.nextCursor,
                loadingMore: false,
              }
            : current,
        );
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setLog((current) =>
          current.state === "ready"
            ? { ...current, loadingMore: false, moreError: errorMessage(err) }
            : current,
        );
      },
    );
  };

  return { log, reload, loadMore };
}

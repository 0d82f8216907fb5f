// MCP logs: one row per tool call made through an MCP gateway — who, with which app, which
// tool, how long, how it ended — newest first, filtered, with older calls on request.
import "./mcp-logs.css";
import { useState } from "preact/hooks";
import type { ListOf, McpGatewayView, McpServerView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { NoAccess } from "../../ui/modal";
import { Card, PageHeader } from "../../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../../ui/states";
import { loadPeople } from "../teams/data";
import { McpLogFilterBar } from "./filter-bar";
import { McpLogTable } from "./log-table";
import { hasFilters, type McpLogFilters, NO_FILTERS, useMcpLog } from "./use-mcp-log";

export function McpLogsPage() {
  const { can } = useSession();
  if (!can("log:read")) return <NoAccess title="MCP logs" permission="log:read" />;
  return <McpLogView />;
}

function listOf<T>(allowed: boolean, path: string): Promise<T[] | null> {
  if (!allowed) return Promise.resolve(null);
  // A list that cannot be loaded only costs its filter, not the page.
  return api.get<ListOf<T>>(path).then(
    (r) => r.data,
    () => null,
  );
}

function McpLogView() {
  const { can } = useSession();
  const [filters, setFilters] = useState<McpLogFilters>(NO_FILTERS);
  const { log, reload, loadMore } = useMcpLog(filters);
  const people = useResource(() => loadPeople(can("member:read")).catch(() => null), []);
  const gateways = useResource(
    () => listOf<McpGatewayView>(can("mcpGateway:read"), "/mcp-gateways"),
    [],
  );
  const servers = useResource(
    () => listOf<McpServerView>(can("mcpServer:read"), "/mcp-servers"),
    [],
  );
  const filtered = hasFilters(filters);

  let body = null;
  if (log.state === "loading") body = <Loading label="Loading MCP tool calls…" />;
  else if (log.state === "error") body = <ErrorState message={log.message} onRetry={reload} />;
  else if (log.calls.length === 0)
    body = filtered ? (
      <Empty
        title="No tool calls match these filters"
        action={
          <button type="button" class="button secondary" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        }
      >
        Try another person, gateway, tool or time range.
      </Empty>
    ) : (
      <Empty title="No tool calls yet">
        Every tool call made through an MCP gateway is recorded here: who made it, with which app,
        how long it took and how it ended. Connect an app from the Connect page to make the first.
      </Empty>
    );
  else
    body = (
      <>
        <McpLogTable calls={log.calls} />
        {log.moreError ? <Notice tone="error">{log.moreError}</Notice> : null}
        <div class="mcp-log-more">
          <p class="muted" aria-live="polite">
            {log.nextCursor
              ? `Showing the newest ${log.calls.length} calls.`
              : `${log.calls.length} ${log.calls.length === 1 ? "call" : "calls"}: that is all${filtered ? " that match" : ""}.`}
          </p>
          {log.nextCursor ? (
            <button
              type="button"
              class="button secondary"
              disabled={log.loadingMore}
              onClick={loadMore}
            >
              {log.loadingMore ? "Loading…" : "Load older"}
            </button>
          ) : null}
        </div>
      </>
    );

  const refreshing = log.state === "ready" && log.refreshing;
  return (
    <>
      <PageHeader
        title="MCP logs"
        description="Every tool call made through an MCP gateway, attributed to the person who made it. Arguments and results are kept only if an admin turns that on in Settings, with secrets redacted."
        actions={
          <button
            type="button"
            class="button secondary"
            onClick={reload}
            disabled={log.state === "loading" || refreshing}
          >
            {refreshing ? "Refreshing…" : "Refresh"}
          </button>
        }
      />
      <Card>
        <McpLogFilterBar
          filters={filters}
          people={people.state === "ready" ? people.data : null}
          gateways={gateways.state === "ready" ? gateways.data : null}
          servers={servers.state === "ready" ? servers.data : null}
          onChange={setFilters}
        />
        {body}
      </Card>
    </>
  );
}

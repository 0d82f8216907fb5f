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
import { PagedListBody, RefreshButton } from "../../ui/paged-list";
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

  return (
    <>
      <PageHeader
        title="MCP logs"
        description="Every tool call made through an MCP gateway, attributed to the person who made it. Arguments and results are kept only if an admin turns that on in Settings, with secrets redacted."
        actions={<RefreshButton list={log} onRefresh={reload} />}
      />
      <Card>
        <McpLogFilterBar
          filters={filters}
          people={people.state === "ready" ? people.data : null}
          gateways={gateways.state === "ready" ? gateways.data : null}
          servers={servers.state === "ready" ? servers.data : null}
          onChange={setFilters}
        />
        <PagedListBody
          list={log}
          onRetry={reload}
          onLoadMore={loadMore}
          loadingLabel="Loading MCP tool calls…"
          filtered={filtered}
          onClearFilters={() => setFilters(NO_FILTERS)}
          noMatch={{
            title: "No tool calls match these filters",
            body: "Try another person, gateway, tool or time range.",
          }}
          none={{
            title: "No tool calls yet",
            body: "Every tool call made through an MCP gateway is recorded here: who made it, with which app, how long it took and how it ended. Connect an app from the Connect page to make the first.",
          }}
          noun={["call", "calls"]}
          moreLabel="Load older"
        >
          {(calls) => <McpLogTable calls={calls} />}
        </PagedListBody>
      </Card>
    </>
  );
}

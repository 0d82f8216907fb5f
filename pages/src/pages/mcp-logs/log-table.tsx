// MCP tool calls, newest first; each row opens to its details (and payloads when kept).
import type { McpToolCallView } from "../../../../shared/api-types";
import { formatRelative } from "../../lib/format";
import { ExpandableRow, useOpenRows } from "../../ui/expandable-rows";
import { Badge } from "../../ui/page";
import { TableHead } from "../../ui/table-head";
import { CallDetails } from "./call-details";
import { formatBytes, formatDuration, OUTCOMES } from "./labels";

const COLUMNS = [
  "Time",
  "Person",
  "Client",
  "Gateway",
  "Server",
  "Tool",
  "Duration",
  "Outcome",
  "Sent / received",
];

export function McpLogTable(props: { calls: McpToolCallView[] }) {
  const { isOpen, toggle } = useOpenRows();
  const now = Date.now();
  return (
    <div class="table-wrap">
      <table class="stack-table log-table mcp-log-table">
        <TableHead columns={COLUMNS} actions="Details" />
        <tbody>
          {props.calls.map((c) => {
            const outcome = OUTCOMES[c.outcome] ?? { label: c.outcome, tone: "neutral" as const };
            const detailsId = `mcp-call-${c.id}`;
            return (
              <ExpandableRow
                key={c.id}
                detailsId={detailsId}
                name={c.tool}
                open={isOpen(c.id)}
                onToggle={() => toggle(c.id)}
                colSpan={COLUMNS.length + 1}
                details={() => <CallDetails call={c} />}
              >
                <td data-label="Time" class="nowrap">
                  <time
                    dateTime={new Date(c.at).toISOString()}
                    title={new Date(c.at).toLocaleString()}
                  >
                    {formatRelative(c.at, now)}
                  </time>
                </td>
                <td data-label="Person" class="mcp-log-wrap">
                  {c.user.email ?? <span class="muted">{c.user.id}</span>}
                </td>
                <td data-label="Client" class="mcp-log-wrap">
                  {c.client.name ?? <span class="muted">—</span>}
                </td>
                <td data-label="Gateway" class="mcp-log-wrap">
                  {c.gateway.slug}
                </td>
                <td data-label="Server" class="mcp-log-wrap">
                  {c.server.name ?? <span class="muted">—</span>}
                </td>
                <td class="name-cell mcp-log-tool">
                  <code>{c.tool}</code>
                </td>
                <td data-label="Duration" class="nowrap">
                  {formatDuration(c.durationMs)}
                </td>
                <td class="status-cell nowrap">
                  <Badge tone={outcome.tone}>{outcome.label}</Badge>
                </td>
                <td data-label="Sizes" class="nowrap">
                  {formatBytes(c.requestBytes)} / {formatBytes(c.responseBytes)}
                </td>
              </ExpandableRow>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

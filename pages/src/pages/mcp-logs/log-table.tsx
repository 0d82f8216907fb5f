// MCP tool calls, newest first; each row opens to its details (and payloads when kept).
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import type { McpToolCallView } from "../../../../shared/api-types";
import { formatRelative } from "../../lib/format";
import { Badge } from "../../ui/page";
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
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(open);
    if (!next.delete(id)) next.add(id);
    setOpen(next);
  };
  const now = Date.now();
  return (
    <div class="table-wrap">
      <table class="stack-table mcp-log-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            <th scope="col">
              <span class="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.calls.map((c) => {
            const expanded = open.has(c.id);
            const outcome = OUTCOMES[c.outcome] ?? { label: c.outcome, tone: "neutral" as const };
            const detailsId = `mcp-call-${c.id}`;
            return (
              <Fragment key={c.id}>
                <tr class={expanded ? "mcp-log-row open" : "mcp-log-row"}>
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
                  <td class="actions">
                    <button
                      type="button"
                      class="button secondary small"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      aria-label={`Details for ${c.tool}`}
                      onClick={() => toggle(c.id)}
                    >
                      {expanded ? "Hide" : "Details"}
                    </button>
                  </td>
                </tr>
                {expanded ? (
                  <tr class="mcp-log-details-row" id={detailsId}>
                    <td colSpan={COLUMNS.length + 1}>
                      <CallDetails call={c} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

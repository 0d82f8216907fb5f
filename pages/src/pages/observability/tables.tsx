// The Observability page's tables: errors by type, and the newest requests, each linking to
// its trace.
import type { ObservedError, ObservedRequest } from "../../../../shared/api-types";
import { formatCount, formatRelative } from "../../lib/format";
import { Badge, Card } from "../../ui/page";
import { Empty } from "../../ui/states";
import { TableHead } from "../../ui/table-head";
import { formatMs, REQUEST_OUTCOMES } from "./labels";

/** The outcome's name; `short` in tables, where the hint on hover says the rest. */
export function OutcomeBadge(props: { outcome: ObservedRequest["outcome"]; short?: boolean }) {
  const o = REQUEST_OUTCOMES[props.outcome];
  return (
    <span title={`${o.label}: ${o.hint}`}>
      <Badge tone={o.tone}>{props.short ? o.short : o.label}</Badge>
    </span>
  );
}

export function ErrorsCard(props: { errors: ObservedError[] }) {
  return (
    <Card title="Errors by type" class="obs-errors">
      {props.errors.length === 0 ? (
        <p class="muted">No errors in this range.</p>
      ) : (
        <div class="table-wrap">
          <table class="stack-table">
            <caption class="visually-hidden">Failed requests by error type</caption>
            <TableHead columns={["Error type", "Outcome", "Requests", "Last seen"]} />
            <tbody>
              {props.errors.map((e) => (
                <tr key={`${e.errorType} ${e.outcome}`}>
                  <td class="name-cell">
                    <code>{e.errorType}</code>
                  </td>
                  <td class="status-cell">
                    <OutcomeBadge outcome={e.outcome} />
                  </td>
                  <td data-label="Requests" class="num">
                    {formatCount(e.count)}
                  </td>
                  <td data-label="Last seen" class="nowrap">
                    <time dateTime={new Date(e.lastAt).toISOString()}>
                      {formatRelative(e.lastAt)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

const COLUMNS = [
  "Time",
  "Model and agent",
  "Person",
  "Outcome",
  "First byte",
  "Duration",
  "Gateway added",
  "Tokens in / out",
];

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const dayAndClock = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
/** The time of day for today's requests, with the date for older ones. */
export function requestTime(ms: number, now = new Date()): string {
  const at = new Date(ms);
  return at.toDateString() === now.toDateString() ? clock.format(at) : dayAndClock.format(at);
}

/** Tokens in as the provider counts them with cache reads and writes. */
export const inputTokens = (r: ObservedRequest) =>
  r.inputTokens + r.cacheReadTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens;

export function RecentRequestsCard(props: { requests: ObservedRequest[]; search: string }) {
  return (
    <Card title="Recent requests" class="obs-recent">
      {props.requests.length === 0 ? (
        <Empty title="No requests in this range" />
      ) : (
        <div class="table-wrap">
          <table class="stack-table log-table obs-recent-table">
            <caption class="visually-hidden">The newest requests in this range</caption>
            <TableHead columns={COLUMNS} actions="Trace" />
            <tbody>
              {props.requests.map((r) => (
                <tr key={r.id} class="obs-request-row">
                  <td data-label="Time" class="nowrap">
                    <time
                      dateTime={new Date(r.createdAt).toISOString()}
                      title={new Date(r.createdAt).toLocaleString()}
                    >
                      {requestTime(r.createdAt)}
                    </time>
                  </td>
                  <td class="name-cell">
                    <code>{r.model ?? r.endpoint}</code>
                    <span class="cell-sub">
                      {r.agentId ?? "No agent id"}
                      {r.endpoint !== "messages" ? ` · ${r.endpoint}` : ""}
                    </span>
                  </td>
                  <td data-label="Person" class="obs-wrap">
                    {r.userEmail ?? <span class="muted">{r.userId ?? "Unattributed"}</span>}
                  </td>
                  <td class="status-cell">
                    <OutcomeBadge outcome={r.outcome} short />
                  </td>
                  <td data-label="First byte" class="num nowrap">
                    {formatMs(r.ttfbMs)}
                  </td>
                  <td data-label="Duration" class="num nowrap">
                    {formatMs(r.durationMs)}
                  </td>
                  <td data-label="Gateway added" class="num nowrap">
                    {formatMs(r.overheadMs)}
                  </td>
                  <td data-label="Tokens" class="num nowrap">
                    {formatCount(inputTokens(r))} / {formatCount(r.outputTokens)}
                  </td>
                  <td class="actions">
                    {/* A label, not hidden text: a hidden span would escape the table's scroll. */}
                    <a
                      class="button secondary small"
                      href={`/observability/requests/${encodeURIComponent(r.id)}${props.search}`}
                      aria-label={`Trace of ${r.model ?? r.endpoint} at ${requestTime(r.createdAt)}`}
                    >
                      Trace
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

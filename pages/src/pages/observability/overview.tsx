// The Observability overview: for the range and filters in the URL, totals, the charts,
// errors by type and the newest requests (each opening its trace); loading, empty and failed
// states in between.
import { useMemo, useState } from "preact/hooks";
import type {
  ObservabilityFilterOptions,
  ObservabilitySummary,
} from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatCount, formatDate } from "../../lib/format";
import { type Resource, useResource } from "../../lib/use-resource";
import { Card, PageHeader } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { SummaryCharts } from "./charts";
import { FilterBar, RangePicker } from "./filter-bar";
import { formatMs, formatPercent, formatRate } from "./labels";
import { ErrorsCard, RecentRequestsCard } from "./tables";
import {
  FILTER_KEYS,
  type Filters,
  hasFilters,
  RANGES,
  rangeOf,
  useView,
  type View,
} from "./view-query";

export const NO_REQUESTS = "No requests in this range";

function rangeLabel(view: View, range: { from: number; to: number }): string {
  if (view.range !== "custom") return RANGES[view.range].label;
  return `${formatDate(range.from)} to ${formatDate(range.to)}`;
}

export function ObservabilityOverview() {
  const { view, setView, search } = useView();
  // Bumped by Refresh: a relative range then ends at the new moment.
  const [stamp, setStamp] = useState(0);
  const range = useMemo(() => rangeOf(view), [search, stamp]);
  const filterValues = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, view.filters[k] || undefined]),
  );
  const summary = useResource(
    () =>
      api.get<ObservabilitySummary>("/observability/summary", {
        from: range.from,
        to: range.to,
        ...filterValues,
      }),
    [range],
  );
  const options = useResource(
    () =>
      api
        .get<ObservabilityFilterOptions>("/observability/filters", range)
        // Lists that cannot be loaded cost only their choices, not the page.
        .catch(() => null),
    [range.from, range.to],
  );
  const setFilters = (filters: Filters) => setView({ ...view, filters });
  const label = rangeLabel(view, range);
  return (
    <>
      <PageHeader
        title="Observability"
        description="Requests through your LLM proxies and tool calls through your MCP gateways, from the gateway's own log: outcomes, latency, the time the gateway itself added, and each request's trace."
        actions={
          <>
            <RangePicker view={view} onChange={setView} />
            <button
              type="button"
              class="button secondary"
              onClick={() => setStamp((n) => n + 1)}
              disabled={summary.state === "loading"}
            >
              Refresh
            </button>
          </>
        }
      />
      <Card>
        {view.range === "custom" ? (
          <p class="obs-range-note">
            Showing <strong>{label}</strong>
          </p>
        ) : null}
        <FilterBar
          filters={view.filters}
          options={options.state === "ready" ? options.data : null}
          onChange={setFilters}
        />
      </Card>
      <SummaryBody
        summary={summary}
        filtered={hasFilters(view.filters)}
        label={label}
        search={search}
        onClearFilters={() =>
          setFilters(Object.fromEntries(FILTER_KEYS.map((k) => [k, ""])) as Filters)
        }
      />
    </>
  );
}

function SummaryBody(props: {
  summary: Resource<ObservabilitySummary>;
  filtered: boolean;
  label: string;
  search: string;
  onClearFilters: () => void;
}) {
  const s = props.summary;
  if (s.state === "loading") {
    return (
      <Card>
        <Loading label="Loading requests and tool calls…" />
      </Card>
    );
  }
  if (s.state === "error") {
    return (
      <Card>
        <ErrorState message={s.message} onRetry={s.reload} />
      </Card>
    );
  }
  const data = s.data;
  if (data.requests.totals.total === 0 && data.toolCalls.totals.total === 0) {
    return (
      <Card>
        {props.filtered ? (
          <Empty
            title="No requests match these filters"
            action={
              <button type="button" class="button secondary" onClick={props.onClearFilters}>
                Clear filters
              </button>
            }
          >
            Try another person, agent, model, proxy or gateway, or a longer range.
          </Empty>
        ) : (
          <Empty title={NO_REQUESTS}>
            Requests arrive here when people use an LLM proxy or an MCP gateway: connect Claude
            Desktop or Claude Code from the <a href="/connect">Connect</a> page, and each request
            shows up within a few seconds. If there was traffic earlier, try a longer range.
          </Empty>
        )}
      </Card>
    );
  }
  return (
    <>
      <Tiles summary={data} />
      <SummaryCharts summary={data} rangeLabel={props.label} />
      <div class="obs-tables">
        <ErrorsCard errors={data.errors} />
        <RecentRequestsCard requests={data.recent} search={props.search} />
      </div>
    </>
  );
}

function Tile(props: { label: string; value: string; note?: string }) {
  return (
    <div class="stat">
      <p>{props.label}</p>
      <p class="stat-value">{props.value}</p>
      {props.note ? <p class="stat-note">{props.note}</p> : null}
    </div>
  );
}

function Tiles(props: { summary: ObservabilitySummary }) {
  const t = props.summary.requests.totals;
  const tools = props.summary.toolCalls.totals;
  const failed = t.total - t.requests.ok;
  return (
    <section class="stats obs-stats" aria-label="Totals for the range">
      <Tile
        label="Requests"
        value={formatCount(t.total)}
        note={`${formatCount(failed)} not OK (${formatPercent(failed, t.total)})`}
      />
      <Tile
        label="Time to first byte p50"
        value={formatMs(t.ttfbMs.p50)}
        note={`p95 ${formatMs(t.ttfbMs.p95)}`}
      />
      <Tile
        label="Duration p50"
        value={formatMs(t.durationMs.p50)}
        note={`p95 ${formatMs(t.durationMs.p95)}`}
      />
      <Tile
        label="Gateway added p50"
        value={formatMs(t.overheadMs.p50)}
        note={`p95 ${formatMs(t.overheadMs.p95)}`}
      />
      <Tile
        label="Output speed p50"
        value={formatRate(t.outputTokensPerSecond.p50)}
        note={`p95 ${formatRate(t.outputTokensPerSecond.p95)}`}
      />
      <Tile
        label="MCP tool calls"
        value={formatCount(tools.total)}
        note={`${formatCount(tools.total - tools.calls.ok)} not OK`}
      />
    </section>
  );
}

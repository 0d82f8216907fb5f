// Spend over the chosen period: totals tiles and the daily chart, from one usage query.
import { useMemo } from "preact/hooks";
import type { UsageReport } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatCompact, formatCount, formatMicroUsd } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { Card } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { SpendChart, SUBSCRIPTION_LABEL } from "./spend-chart";
import { dailySeries, type RangeDays, rangeQuery, type Spend, sumRows } from "./usage-data";

export const NO_SPEND_TITLE = "No spend yet in this period";
export const NO_SPEND_BODY = "Requests through an LLM proxy show up here within a minute.";

export function SpendSection(props: { days: RangeDays }) {
  const report = useResource(
    () => api.get<UsageReport>("/usage", { ...rangeQuery(props.days), groupBy: "day,billingMode" }),
    [props.days],
  );
  const data = report.state === "ready" ? report.data : null;
  // Keyed on the response itself, so the chart is only rebuilt when the numbers change.
  const view = useMemo(
    () =>
      data
        ? { days: dailySeries(data.data, data.from, data.to), totals: sumRows(data.data) }
        : null,
    [data],
  );
  return (
    <>
      <section
        class="stats costs-stats"
        aria-label="Totals for the period"
        aria-busy={report.state === "loading"}
      >
        <Tiles totals={view?.totals ?? null} />
      </section>
      <Card title="Spend over time" class="spend-card">
        {report.state === "loading" ? <Loading label="Loading spend…" /> : null}
        {report.state === "error" ? (
          <ErrorState message={report.message} onRetry={report.reload} />
        ) : null}
        {view && view.totals.requests === 0 ? (
          <Empty title={NO_SPEND_TITLE}>{NO_SPEND_BODY}</Empty>
        ) : null}
        {view && view.totals.requests > 0 ? (
          <SpendChart
            days={view.days}
            totals={view.totals}
            summary={`Spend per day over the last ${props.days} days: metered ${formatMicroUsd(
              view.totals.meteredMicroUsd,
            )} in total; ${SUBSCRIPTION_LABEL.toLowerCase()} ${formatMicroUsd(
              view.totals.subscriptionMicroUsd,
            )}.`}
          />
        ) : null}
      </Card>
    </>
  );
}

function Tile(props: { label: string; value: string; note?: string; tone?: "warn" }) {
  return (
    <div class={`stat ${props.tone === "warn" ? "stat-warn" : ""}`}>
      <p>{props.label}</p>
      <p class="stat-value">{props.value}</p>
      {props.note ? <p class="stat-note">{props.note}</p> : null}
    </div>
  );
}

/** Totals; dashes while the numbers load or if they could not be read. */
function Tiles(props: { totals: Spend | null }) {
  const t = props.totals;
  const dash = "—";
  return (
    <>
      <Tile
        label="Metered spend"
        value={t ? formatMicroUsd(t.meteredMicroUsd) : dash}
        note="Billed by the provider"
      />
      <Tile
        label="Subscription estimate"
        value={t ? formatMicroUsd(t.subscriptionMicroUsd) : dash}
        note="At list price, not billed"
      />
      <Tile label="Requests" value={t ? formatCount(t.requests) : dash} />
      <Tile
        label="Tokens"
        value={t ? formatCompact(t.tokens) : dash}
        note={t ? `${formatCount(t.tokens)} input, output and cache` : undefined}
      />
      <Tile
        label="Unpriced requests"
        value={t ? formatCount(t.unpricedRequests) : dash}
        tone={t && t.unpricedRequests > 0 ? "warn" : undefined}
        note={
          t && t.unpricedRequests > 0
            ? "Not priced: their model has no price. An admin should set one."
            : t
              ? "Every request had a price"
              : undefined
        }
      />
    </>
  );
}

// Who and what the spend went to: one table at a time, by user, team, model or LLM proxy,
// each loaded on its own so one failure leaves the others readable.
import { useMemo, useState } from "preact/hooks";
import type { UsageReport } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatCount, formatMicroUsd } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { Card } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { type Directory, proxyName, teamName, userName } from "./directory";
import { type GroupSpend, groupSpend, type RangeDays, rangeQuery } from "./usage-data";

type Dimension = "user" | "team" | "model" | "proxy";

const DIMENSIONS: { value: Dimension; label: string; column: string; none: string }[] = [
  { value: "user", label: "By user", column: "User", none: "No user (anonymous)" },
  { value: "team", label: "By team", column: "Team", none: "In no team" },
  { value: "model", label: "By model", column: "Model", none: "Unknown model" },
  { value: "proxy", label: "By LLM proxy", column: "LLM proxy", none: "No proxy" },
];

const SHOWN = 10;

export function Breakdowns(props: { days: RangeDays; directory: Directory }) {
  const [dimension, setDimension] = useState<Dimension>("user");
  const picker = (
    <fieldset class="segmented">
      <legend class="visually-hidden">Break spend down</legend>
      {DIMENSIONS.map((d) => (
        <button
          key={d.value}
          type="button"
          aria-pressed={dimension === d.value}
          onClick={() => setDimension(d.value)}
        >
          {d.label}
        </button>
      ))}
    </fieldset>
  );
  return (
    <Card title="Breakdown" actions={picker} class="breakdown-card">
      <BreakdownTable key={dimension} dimension={dimension} {...props} />
      {dimension === "team" ? (
        <p class="muted small-note">
          By current team membership: someone in two teams counts in both.
        </p>
      ) : null}
    </Card>
  );
}

function BreakdownTable(props: { dimension: Dimension; days: RangeDays; directory: Directory }) {
  const { dimension, directory } = props;
  const text = DIMENSIONS.find((d) => d.value === dimension) ?? DIMENSIONS[0];
  const report = useResource(
    () =>
      api.get<UsageReport>("/usage", {
        ...rangeQuery(props.days),
        groupBy: `${dimension},billingMode`,
      }),
    [props.days, dimension],
  );
  const data = report.state === "ready" ? report.data : null;
  const rows = useMemo(() => (data ? groupSpend(data.data, dimension) : null), [data, dimension]);
  const [all, setAll] = useState(false);
  if (!text) return null;
  const label = (key: string) => {
    if (!key) return text.none;
    if (dimension === "user") return userName(directory, key);
    if (dimension === "proxy") return proxyName(directory, key);
    if (dimension === "team") return teamName(directory, key);
    return key;
  };
  if (report.state === "loading") return <Loading label="Loading the breakdown…" />;
  if (report.state === "error") {
    return <ErrorState message={report.message} onRetry={report.reload} />;
  }
  if (!rows || rows.length === 0) {
    return <Empty title="Nothing in this period">Spend shows here once requests come in.</Empty>;
  }
  return (
    <>
      <div class="table-wrap">
        <table class="breakdown-table">
          <caption class="visually-hidden">
            Spend {text.label.toLowerCase()}, last {props.days} days
          </caption>
          <thead>
            <tr>
              <th scope="col">{text.column}</th>
              <th scope="col" class="num">
                Metered spend
              </th>
              <th scope="col" class="num">
                <abbr title="Subscription usage at list price, not billed">Subscription est.</abbr>
              </th>
              <th scope="col" class="num">
                Requests
              </th>
              <th scope="col" class="num">
                Tokens
              </th>
            </tr>
          </thead>
          <tbody>
            {(all ? rows : rows.slice(0, SHOWN)).map((r) => (
              <BreakdownRow key={r.key} row={r} name={label(r.key)} />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > SHOWN ? (
        <button type="button" class="button ghost small show-all" onClick={() => setAll(!all)}>
          {all ? "Show the top 10" : `Show all ${rows.length}`}
        </button>
      ) : null}
    </>
  );
}

function BreakdownRow(props: { row: GroupSpend; name: string }) {
  const { row } = props;
  return (
    <tr>
      <th scope="row" title={row.key || undefined}>
        {props.name}
        {row.unpricedRequests > 0 ? (
          <span class="cell-sub warn-text">{formatCount(row.unpricedRequests)} unpriced</span>
        ) : null}
      </th>
      <td class="num">{formatMicroUsd(row.meteredMicroUsd)}</td>
      <td class="num">
        {row.subscriptionMicroUsd > 0 ? formatMicroUsd(row.subscriptionMicroUsd) : "—"}
      </td>
      <td class="num">{formatCount(row.requests)}</td>
      <td class="num">{formatCount(row.tokens)}</td>
    </tr>
  );
}

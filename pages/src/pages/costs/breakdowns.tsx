// Who and what the spend went to: tables by user, by model and by LLM proxy for the period,
// each loaded on its own so one failure leaves the others readable.
import { useMemo, useState } from "preact/hooks";
import type { UsageReport } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatCount, formatMicroUsd } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { Card } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";
import { type Directory, proxyName, userName } from "./directory";
import { NO_SPEND_BODY, NO_SPEND_TITLE } from "./spend-section";
import { type GroupSpend, groupSpend, type RangeDays, rangeQuery } from "./usage-data";

type Dimension = "user" | "model" | "proxy";

const TITLES: Record<Dimension, { title: string; column: string; none: string }> = {
  user: { title: "By user", column: "User", none: "No user (anonymous)" },
  model: { title: "By model", column: "Model", none: "Unknown model" },
  proxy: { title: "By LLM proxy", column: "LLM proxy", none: "No proxy" },
};

const SHOWN = 8;

export function Breakdowns(props: { days: RangeDays; directory: Directory }) {
  return (
    <section class="stack" aria-labelledby="breakdown-heading">
      <div class="section-heading">
        <h2 id="breakdown-heading">Breakdown</h2>
        <p class="muted">By team: available once teams are set up.</p>
      </div>
      <div class="grid-2 breakdown-grid">
        <Breakdown dimension="user" {...props} />
        <Breakdown dimension="model" {...props} />
        <Breakdown dimension="proxy" {...props} />
      </div>
    </section>
  );
}

function Breakdown(props: { dimension: Dimension; days: RangeDays; directory: Directory }) {
  const { dimension, directory } = props;
  const report = useResource(
    () =>
      api.get<UsageReport>("/usage", {
        ...rangeQuery(props.days),
        groupBy: `${dimension},billingMode`,
      }),
    [props.days, dimension],
  );
  const rows = useMemo(
    () => (report.state === "ready" ? groupSpend(report.data.data, dimension) : null),
    [report, dimension],
  );
  const [all, setAll] = useState(false);
  const text = TITLES[dimension];
  const label = (key: string) => {
    if (!key) return text.none;
    if (dimension === "user") return userName(directory, key);
    if (dimension === "proxy") return proxyName(directory, key);
    return key;
  };
  return (
    <Card title={text.title}>
      {report.state === "loading" ? (
        <Loading label={`Loading spend ${text.title.toLowerCase()}…`} />
      ) : null}
      {report.state === "error" ? (
        <ErrorState message={report.message} onRetry={report.reload} />
      ) : null}
      {rows && rows.length === 0 ? <Empty title={NO_SPEND_TITLE}>{NO_SPEND_BODY}</Empty> : null}
      {rows && rows.length > 0 ? (
        <>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">
                Spend {text.title.toLowerCase()}, last {props.days} days
              </caption>
              <thead>
                <tr>
                  <th scope="col">{text.column}</th>
                  <th scope="col" class="num">
                    Spend
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
                  <BreakdownRow key={r.key} row={r} name={label(r.key)} id={r.key} />
                ))}
              </tbody>
            </table>
          </div>
          {rows.length > SHOWN ? (
            <button type="button" class="button ghost small show-all" onClick={() => setAll(!all)}>
              {all ? "Show fewer" : `Show all ${rows.length}`}
            </button>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

function BreakdownRow(props: { row: GroupSpend; name: string; id: string }) {
  const { row } = props;
  return (
    <tr>
      <th scope="row" class="breakdown-name" title={props.id || undefined}>
        {props.name}
      </th>
      <td class="num">
        {formatMicroUsd(row.meteredMicroUsd)}
        {row.subscriptionMicroUsd > 0 ? (
          <span class="cell-sub" title="Subscription usage at list price, not billed">
            + {formatMicroUsd(row.subscriptionMicroUsd)} subscription est.
          </span>
        ) : null}
      </td>
      <td class="num">{formatCount(row.requests)}</td>
      <td class="num">{formatCount(row.tokens)}</td>
    </tr>
  );
}

// The prices spend is computed with: every priced model and the organisation's price for
// models with none. Read only here.
import type { ModelPriceList, PriceView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useResource } from "../../lib/use-resource";
import { Badge, Card } from "../../ui/page";
import { Empty, ErrorState, Loading } from "../../ui/states";

const usd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

const COLUMNS: { key: keyof PriceView["usdPerMTok"]; label: string }[] = [
  { key: "input", label: "Input" },
  { key: "output", label: "Output" },
  { key: "cacheWrite5m", label: "Cache write 5m" },
  { key: "cacheWrite1h", label: "Cache write 1h" },
  { key: "cacheRead", label: "Cache read" },
];

function describeDefault(price: PriceView | null): string {
  if (!price) return "none: requests for models without a price are logged as unpriced.";
  const p = price.usdPerMTok;
  return `${usd.format(p.input)} input, ${usd.format(p.output)} output per million tokens.`;
}

export function PricesCard() {
  const prices = useResource(() => api.get<ModelPriceList>("/model-prices"));
  return (
    <Card title="Prices">
      {prices.state === "loading" ? <Loading label="Loading prices…" /> : null}
      {prices.state === "error" ? (
        <ErrorState message={prices.message} onRetry={prices.reload} />
      ) : null}
      {prices.state === "ready" ? (
        <>
          <p class="muted">
            Spend is computed from these prices, in USD per million tokens. Price for unknown
            models: {describeDefault(prices.data.defaultPrice)}
          </p>
          {prices.data.data.length === 0 ? (
            <Empty title="No prices" />
          ) : (
            <details class="prices-details">
              <summary>Show the price table ({prices.data.data.length} models)</summary>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Model prices, USD per million tokens</caption>
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      {COLUMNS.map((c) => (
                        <th key={c.key} scope="col" class="num">
                          {c.label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {prices.data.data.map((m) => (
                      <tr key={m.model}>
                        <th scope="row">
                          {m.displayName}{" "}
                          {m.source === "override" ? <Badge tone="info">Custom</Badge> : null}
                          <code class="cell-sub">{m.model}</code>
                        </th>
                        {COLUMNS.map((c) => (
                          <td key={c.key} class="num">
                            {usd.format(m.usdPerMTok[c.key])}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
        </>
      ) : null}
    </Card>
  );
}

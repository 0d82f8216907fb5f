// The spend-over-time chart: uPlot, sized to its container and redrawn as that changes, with
// a text summary for assistive technology and the numbers as a table beside it.
import { useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatCount, formatMicroUsd } from "../../lib/format";
import { useUplot } from "../../lib/use-uplot";
import { type DailySpend, type Spend, shortDay } from "./usage-data";

export const SUBSCRIPTION_LABEL = "Subscription (list-price estimate, not billed)";
// Kept in step with .swatch in costs.css.
const METERED_COLOR = "#0d9488";
const SUBSCRIPTION_COLOR = "#6d28d9";

const axisUsdLarge = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 2,
});

/** Axis labels with as many decimals as the tick step needs, so small spend is not all "$0". */
function axisUsd(value: number, step: number): string {
  if (step >= 1) return axisUsdLarge.format(value);
  const decimals = Math.min(6, Math.max(2, Math.ceil(-Math.log10(step))));
  return `$${value.toFixed(decimals)}`;
}

const toUsd = (micro: number) => micro / 1_000_000;
const heightFor = (width: number) => (width < 560 ? 200 : 260);

/** A round top for the y axis, so an all-zero period still draws a sensible frame. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.1) / step) * step;
}

function options(width: number, onHover: (idx: number | null) => void): uPlot.Options {
  return {
    width,
    height: heightFor(width),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { drag: { x: false, y: false } },
    // The legend below is ours: it wraps on a phone and reads the hovered day.
    legend: { show: false },
    hooks: { setCursor: [(u) => onHover(u.cursor.idx ?? null)] },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, niceMax(max)] } },
    axes: [
      { stroke: "#6b7280", grid: { show: false }, ticks: { stroke: "#e5e7eb" } },
      {
        stroke: "#6b7280",
        size: 64,
        grid: { stroke: "#eef0f3" },
        ticks: { show: false },
        values: (_u, splits, _axis, _space, step) => splits.map((v) => axisUsd(v, step)),
      },
    ],
    series: [
      {},
      {
        label: "Metered spend",
        stroke: METERED_COLOR,
        fill: "rgba(13, 148, 136, 0.12)",
        width: 2,
      },
      { label: SUBSCRIPTION_LABEL, stroke: SUBSCRIPTION_COLOR, dash: [6, 4], width: 2 },
    ],
  };
}

function chartData(days: DailySpend[]): uPlot.AlignedData {
  return [
    days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000),
    days.map((d) => toUsd(d.meteredMicroUsd)),
    days.map((d) => toUsd(d.subscriptionMicroUsd)),
  ];
}

export function SpendChart(props: { days: DailySpend[]; totals: Spend; summary: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  useUplot(
    holder,
    (width, el) => new uPlot(options(width, setHovered), chartData(props.days), el),
    heightFor,
    () => setHovered(null),
    [props.days],
  );
  const day = hovered === null ? undefined : props.days[hovered];
  const shown = day ?? props.totals;
  return (
    <div class="spend-chart">
      <div ref={holder} class="spend-chart-canvas" role="img" aria-label={props.summary} />
      <div class="chart-legend">
        <p class="chart-legend-when">{day ? shortDay(day.day) : "Whole period"}</p>
        <ul>
          <li>
            <span class="swatch metered" aria-hidden="true" />
            Metered spend <strong>{formatMicroUsd(shown.meteredMicroUsd)}</strong>
          </li>
          <li>
            <span class="swatch subscription" aria-hidden="true" />
            {SUBSCRIPTION_LABEL} <strong>{formatMicroUsd(shown.subscriptionMicroUsd)}</strong>
          </li>
        </ul>
      </div>
      <SpendTable days={props.days} />
    </div>
  );
}

/** The chart's numbers, for screen readers and anyone who wants the figures. */
function SpendTable(props: { days: DailySpend[] }) {
  return (
    <details class="spend-table">
      <summary>Show the daily figures</summary>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Spend per UTC day</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" class="num">
                Metered spend
              </th>
              <th scope="col" class="num">
                Subscription estimate
              </th>
              <th scope="col" class="num">
                Requests
              </th>
            </tr>
          </thead>
          <tbody>
            {props.days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{shortDay(d.day)}</th>
                <td class="num">{formatMicroUsd(d.meteredMicroUsd)}</td>
                <td class="num">{formatMicroUsd(d.subscriptionMicroUsd)}</td>
                <td class="num">{formatCount(d.requests)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

// The spend-over-time chart: uPlot, sized to its container and redrawn as that changes, with
// a text summary for assistive technology and the numbers as a table beside it.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatCount, formatMicroUsd } from "../../lib/format";
import { type DailySpend, shortDay } from "./usage-data";

export const SUBSCRIPTION_LABEL = "Subscription (list-price estimate, not billed)";
const METERED_COLOR = "#0d9488";
const SUBSCRIPTION_COLOR = "#6d28d9";

const axisUsd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 2,
});

const toUsd = (micro: number) => micro / 1_000_000;
const heightFor = (width: number) => (width < 560 ? 200 : 260);

/** A round top for the y axis, so an all-zero period still draws a sensible frame. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.1) / step) * step;
}

function options(width: number): uPlot.Options {
  const money = (_u: uPlot, v: number | null) => (v == null ? "—" : formatMicroUsd(v * 1e6));
  return {
    width,
    height: heightFor(width),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, niceMax(max)] } },
    axes: [
      {
        stroke: "#6b7280",
        grid: { show: false },
        ticks: { stroke: "#e5e7eb" },
      },
      {
        stroke: "#6b7280",
        size: 64,
        grid: { stroke: "#eef0f3" },
        ticks: { show: false },
        values: (_u, splits) => splits.map((v) => axisUsd.format(v)),
      },
    ],
    series: [
      {
        value: (_u, ts) =>
          ts == null ? "—" : shortDay(new Date(ts * 1000).toISOString().slice(0, 10)),
      },
      {
        label: "Metered spend",
        stroke: METERED_COLOR,
        fill: "rgba(13, 148, 136, 0.12)",
        width: 2,
        value: money,
      },
      {
        label: SUBSCRIPTION_LABEL,
        stroke: SUBSCRIPTION_COLOR,
        dash: [6, 4],
        width: 2,
        value: money,
      },
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

export function SpendChart(props: { days: DailySpend[]; summary: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const width = () => Math.max(240, Math.floor(el.clientWidth));
    const chart = new uPlot(options(width()), chartData(props.days), el);
    let last = width();
    const observer = new ResizeObserver(() => {
      const next = width();
      if (next === last) return;
      last = next;
      chart.setSize({ width: next, height: heightFor(next) });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.days]);
  return (
    <div class="spend-chart">
      <div ref={holder} class="spend-chart-canvas" role="img" aria-label={props.summary} />
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

// One chart over time buckets with uPlot: stacked bars (counts by outcome) or lines
// (percentiles), sized to its card and redrawn as that changes. A legend reads the hovered
// bucket, and the figures sit in a table below for screen readers and anyone who wants them.
import { useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useUplot } from "../../lib/use-uplot";

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  dash?: number[];
}

interface Props {
  /** Bucket starts, epoch ms. */
  times: number[];
  series: ChartSeries[];
  kind: "stacked-bars" | "lines";
  /** How a value reads in the legend and the table. */
  format: (value: number | null) => string;
  /** How a value reads on the y axis. */
  axis: (value: number) => string;
  /** What the legend shows when nothing is hovered, per series (e.g. the range's totals). */
  overall: string[];
  overallLabel: string;
  /** One sentence describing the chart, for assistive technology. */
  summary: string;
  caption: string;
}

const heightFor = (width: number) => (width < 560 ? 170 : 200);

function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.1) / step) * step;
}

const timeLabel = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
export const bucketLabel = (ms: number) => timeLabel.format(new Date(ms));

/** For stacked bars each drawn series is the running total, top of the stack drawn first. */
function drawnSeries(props: Props): ChartSeries[] {
  if (props.kind === "lines") return props.series;
  const running = props.times.map(() => 0);
  const stacked = props.series.map((s) => ({
    ...s,
    values: s.values.map((v, i) => {
      running[i] = (running[i] ?? 0) + (v ?? 0);
      return running[i] ?? 0;
    }),
  }));
  return stacked.reverse();
}

function options(
  props: Props,
  drawn: ChartSeries[],
  width: number,
  onHover: (idx: number | null) => void,
): uPlot.Options {
  const bars = props.kind === "stacked-bars";
  const barPaths = bars ? uPlot.paths.bars?.({ size: [0.8, 28], align: 1 }) : undefined;
  return {
    width,
    height: heightFor(width),
    cursor: { drag: { x: false, y: false } },
    legend: { show: false },
    hooks: { setCursor: [(u) => onHover(u.cursor.idx ?? null)] },
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, niceMax(max)] },
    },
    axes: [
      { stroke: "#6b7280", grid: { show: false }, ticks: { stroke: "#e5e7eb" } },
      {
        stroke: "#6b7280",
        size: 70,
        grid: { stroke: "#eef0f3" },
        ticks: { show: false },
        values: (_u, splits) => splits.map((v) => props.axis(v)),
      },
    ],
    series: [
      {},
      ...drawn.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: bars ? 0 : 2,
          ...(bars ? { fill: s.color, paths: barPaths } : {}),
          ...(s.dash ? { dash: s.dash } : {}),
          points: { show: !bars, size: 4 },
          // Percentiles of quiet buckets are unknown, not zero: the line runs across them.
          spanGaps: true,
        }),
      ),
    ],
  };
}

export function TimeChart(props: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  useUplot(
    holder,
    (width, el) => {
      const drawn = drawnSeries(props);
      const data: uPlot.AlignedData = [
        props.times.map((t) => t / 1000),
        ...drawn.map((s) => s.values),
      ];
      return new uPlot(options(props, drawn, width, setHovered), data, el);
    },
    heightFor,
    () => setHovered(null),
    [props.times, props.series, props.kind],
  );
  const at = hovered === null ? undefined : props.times[hovered];
  return (
    <div class="obs-chart">
      <div ref={holder} class="obs-chart-canvas" role="img" aria-label={props.summary} />
      <div class="chart-legend obs-legend">
        <p class="chart-legend-when">{at === undefined ? props.overallLabel : bucketLabel(at)}</p>
        <ul>
          {props.series.map((s, i) => (
            <li key={s.label}>
              <span
                class={`obs-swatch ${props.kind === "lines" ? "line" : ""} ${s.dash ? "dashed" : ""}`}
                style={{ "--swatch": s.color }}
                aria-hidden="true"
              />
              {s.label}{" "}
              <strong>
                {hovered === null ? props.overall[i] : props.format(s.values[hovered] ?? null)}
              </strong>
            </li>
          ))}
        </ul>
      </div>
      <FiguresTable {...props} />
    </div>
  );
}

/** The chart's numbers, quiet buckets left out. */
function FiguresTable(props: Props) {
  const rows = props.times
    .map((t, i) => ({ t, values: props.series.map((s) => s.values[i] ?? null) }))
    .filter((r) => r.values.some((v) => v !== null && v !== 0));
  return (
    <details class="obs-figures">
      <summary>Show the figures</summary>
      {rows.length === 0 ? (
        <p class="muted">Nothing in this range.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{props.caption}</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                {props.series.map((s) => (
                  <th key={s.label} scope="col" class="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.t}>
                  <th scope="row">{bucketLabel(r.t)}</th>
                  {r.values.map((v, i) => (
                    <td key={props.series[i]?.label} class="num">
                      {props.format(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

// The Observability page's charts, from one summary: requests by outcome (stacked), latency
// percentiles, the gateway's own added time, output tokens per second, and MCP tool calls.
import { useMemo } from "preact/hooks";
import type {
  McpCallOutcome,
  ObservabilitySummary,
  Percentiles,
  RequestBucket,
  RequestOutcome,
} from "../../../../shared/api-types";
import { formatCount } from "../../lib/format";
import { Card } from "../../ui/page";
import { formatMs, formatRate, REQUEST_OUTCOMES, TOOL_COLORS, TOOL_OUTCOMES } from "./labels";
import { type ChartSeries, TimeChart } from "./time-chart";

const count = (v: number | null) => (v === null ? "—" : formatCount(v));
const axisCount = (v: number) => (Number.isInteger(v) ? formatCount(v) : "");
const axisMs = (v: number) => (v >= 1000 ? `${+(v / 1000).toFixed(1)} s` : `${+v.toFixed(0)} ms`);
const axisRate = (v: number) => formatCount(Math.round(v));

type Latency = "ttfbMs" | "durationMs" | "overheadMs" | "outputTokensPerSecond";

function percentileSeries(
  buckets: RequestBucket[],
  metric: Latency,
  label: string,
  color: string,
): ChartSeries[] {
  return [
    { label: `${label} p50`, color, values: buckets.map((b) => b[metric].p50) },
    { label: `${label} p95`, color, dash: [5, 4], values: buckets.map((b) => b[metric].p95) },
  ];
}

const overallOf = (p: Percentiles, format: (v: number | null) => string) => [
  format(p.p50),
  format(p.p95),
];

export function SummaryCharts(props: { summary: ObservabilitySummary; rangeLabel: string }) {
  const s = props.summary;
  const charts = useMemo(() => {
    const buckets = s.requests.buckets;
    const times = buckets.map((b) => b.at);
    const outcomes = Object.keys(REQUEST_OUTCOMES) as RequestOutcome[];
    const toolOutcomes = Object.keys(TOOL_OUTCOMES) as McpCallOutcome[];
    return {
      times,
      toolTimes: s.toolCalls.buckets.map((b) => b.at),
      requests: outcomes.map((o) => ({
        label: REQUEST_OUTCOMES[o].label,
        color: REQUEST_OUTCOMES[o].color,
        values: buckets.map((b) => b.requests[o]),
      })),
      latency: [
        ...percentileSeries(buckets, "ttfbMs", "Time to first byte", "#2563eb"),
        ...percentileSeries(buckets, "durationMs", "Duration", "#0d9488"),
      ],
      overhead: percentileSeries(buckets, "overheadMs", "Gateway added", "#6d28d9"),
      rate: percentileSeries(buckets, "outputTokensPerSecond", "Output", "#d97706"),
      tools: toolOutcomes.map((o) => ({
        label: TOOL_OUTCOMES[o].label,
        color: TOOL_COLORS[o],
        values: s.toolCalls.buckets.map((b) => b.calls[o]),
      })),
    };
  }, [s]);
  const t = s.requests.totals;
  const whole = props.rangeLabel;
  return (
    <div class="obs-charts">
      <Card title="Requests by outcome" class="obs-chart-card obs-wide">
        <TimeChart
          kind="stacked-bars"
          times={charts.times}
          series={charts.requests}
          format={count}
          axis={axisCount}
          overall={(Object.keys(REQUEST_OUTCOMES) as RequestOutcome[]).map((o) =>
            formatCount(t.requests[o]),
          )}
          overallLabel={whole}
          caption="Requests per time bucket by outcome"
          summary={`Requests over ${whole.toLowerCase()} by outcome: ${formatCount(t.total)} in all, ${formatCount(t.requests.ok)} OK.`}
        />
      </Card>
      <Card title="Latency" class="obs-chart-card">
        <TimeChart
          kind="lines"
          times={charts.times}
          series={charts.latency}
          format={formatMs}
          axis={axisMs}
          overall={[...overallOf(t.ttfbMs, formatMs), ...overallOf(t.durationMs, formatMs)]}
          overallLabel={whole}
          caption="Time to first byte and duration, p50 and p95, per time bucket"
          summary={`Time to first byte p50 ${formatMs(t.ttfbMs.p50)}, p95 ${formatMs(t.ttfbMs.p95)}; duration p50 ${formatMs(t.durationMs.p50)}, p95 ${formatMs(t.durationMs.p95)}.`}
        />
      </Card>
      <Card title="Time the gateway added" class="obs-chart-card">
        <TimeChart
          kind="lines"
          times={charts.times}
          series={charts.overhead}
          format={formatMs}
          axis={axisMs}
          overall={overallOf(t.overheadMs, formatMs)}
          overallLabel={whole}
          caption="Time the gateway itself added, p50 and p95, per time bucket"
          summary={`The gateway itself added p50 ${formatMs(t.overheadMs.p50)}, p95 ${formatMs(t.overheadMs.p95)}.`}
        />
      </Card>
      <Card title="Output tokens per second" class="obs-chart-card">
        <TimeChart
          kind="lines"
          times={charts.times}
          series={charts.rate}
          format={formatRate}
          axis={axisRate}
          overall={overallOf(t.outputTokensPerSecond, formatRate)}
          overallLabel={whole}
          caption="Output tokens per second, p50 and p95, per time bucket"
          summary={`Output speed p50 ${formatRate(t.outputTokensPerSecond.p50)}, p95 ${formatRate(t.outputTokensPerSecond.p95)}.`}
        />
      </Card>
      <Card title="MCP tool calls" class="obs-chart-card">
        <TimeChart
          kind="stacked-bars"
          times={charts.toolTimes}
          series={charts.tools}
          format={count}
          axis={axisCount}
          overall={(Object.keys(TOOL_OUTCOMES) as McpCallOutcome[]).map((o) =>
            formatCount(s.toolCalls.totals.calls[o]),
          )}
          overallLabel={whole}
          caption="MCP tool calls per time bucket by outcome"
          summary={`${formatCount(s.toolCalls.totals.total)} MCP tool calls; duration p50 ${formatMs(s.toolCalls.totals.durationMs.p50)}, p95 ${formatMs(s.toolCalls.totals.durationMs.p95)}.`}
        />
        <p class="muted obs-chart-note">
          Duration p50 {formatMs(s.toolCalls.totals.durationMs.p50)}, p95{" "}
          {formatMs(s.toolCalls.totals.durationMs.p95)}
        </p>
      </Card>
    </div>
  );
}

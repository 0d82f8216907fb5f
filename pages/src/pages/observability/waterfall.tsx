// A trace as a waterfall: one row per LLM request or MCP tool call in time order, each bar
// placed by its start and sized by its duration on one shared time axis. LLM bars shade the wait
// for the first byte and mark the time the gateway itself added; the request the page is about
// is highlighted. Every row says in words what its bar shows, so nothing rests on colour.
import type { RequestTrace, TraceItem } from "../../../../shared/api-types";
import { formatCount, formatMicroUsd } from "../../lib/format";
import { formatMs, REQUEST_OUTCOMES, TOOL_OUTCOMES } from "./labels";

const pct = (part: number, whole: number) => `${Math.max(0, Math.min(100, (part / whole) * 100))}%`;

function offsetLabel(ms: number): string {
  return ms === 0 ? "at the start" : `+${formatMs(ms)}`;
}

function outcomeOf(item: TraceItem) {
  return item.kind === "llm_request"
    ? REQUEST_OUTCOMES[item.outcome]
    : { ...TOOL_OUTCOMES[item.outcome], hint: "" };
}

/** What the bar shows, in words. */
function describe(item: TraceItem, offset: number): string {
  const parts = [`starts ${offsetLabel(offset)}`, `takes ${formatMs(item.durationMs)}`];
  if (item.kind === "llm_request") {
    if (item.ttfbMs !== null) parts.push(`first byte after ${formatMs(item.ttfbMs)}`);
    if (item.overheadMs !== null) parts.push(`gateway added ${formatMs(item.overheadMs)}`);
    parts.push(`${formatCount(item.inputTokens)} tokens in, ${formatCount(item.outputTokens)} out`);
    if (item.costMicroUsd !== null) parts.push(formatMicroUsd(item.costMicroUsd));
  }
  return parts.join(" · ");
}

function Name(props: { item: TraceItem; selected: boolean; search: string }) {
  const { item } = props;
  if (item.kind === "tool_call") {
    return (
      <span class="wf-name">
        <code>{item.tool}</code>
        <span class="cell-sub">via {item.gatewaySlug}</span>
      </span>
    );
  }
  const label = <code>{item.model ?? "LLM request"}</code>;
  return (
    <span class="wf-name">
      {props.selected ? (
        label
      ) : (
        <a href={`/observability/requests/${encodeURIComponent(item.id)}${props.search}`}>
          {label}
        </a>
      )}
      {props.selected ? <span class="cell-sub">This request</span> : null}
    </span>
  );
}

function Bar(props: { item: TraceItem; start: number; span: number }) {
  const { item } = props;
  const tone = outcomeOf(item).tone;
  const bad = tone === "bad" || tone === "warn";
  const duration = Math.max(item.durationMs, 0);
  return (
    <div class="wf-track" aria-hidden="true">
      <div
        class={`wf-bar ${item.kind === "llm_request" ? "llm" : "tool"} ${bad ? "failed" : ""}`}
        style={{
          left: pct(item.startedAt - props.start, props.span),
          width: pct(duration, props.span),
        }}
      >
        {item.kind === "llm_request" && item.ttfbMs !== null && duration > 0 ? (
          <span class="wf-ttfb" style={{ width: pct(item.ttfbMs, duration) }} />
        ) : null}
        {item.kind === "llm_request" && item.overheadMs !== null && duration > 0 ? (
          <span class="wf-overhead" style={{ width: pct(item.overheadMs, duration) }} />
        ) : null}
      </div>
    </div>
  );
}

export function Waterfall(props: { trace: RequestTrace; selectedId: string; search: string }) {
  const items = props.trace.items;
  const start = Math.min(...items.map((i) => i.startedAt));
  const end = Math.max(...items.map((i) => i.startedAt + i.durationMs));
  const span = Math.max(end - start, 1);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div class="waterfall">
      <div class="wf-axis" aria-hidden="true">
        <span class="wf-axis-label">Time from the first call</span>
        <div class="wf-axis-track">
          {ticks.map((t) => (
            <span key={t} class="wf-tick" style={{ left: `${t * 100}%` }}>
              {formatMs(Math.round(t * span))}
            </span>
          ))}
        </div>
      </div>
      <ol class="wf-rows" aria-label="Calls of this trace, in time order">
        {items.map((item) => {
          const selected = item.kind === "llm_request" && item.id === props.selectedId;
          const outcome = outcomeOf(item);
          return (
            <li
              key={`${item.kind} ${item.id}`}
              class={`wf-row ${selected ? "selected" : ""}`}
              aria-current={selected ? "true" : undefined}
              data-kind={item.kind}
            >
              <div class="wf-label">
                <span class={`wf-kind ${item.kind === "llm_request" ? "llm" : "tool"}`}>
                  {item.kind === "llm_request" ? "LLM" : "Tool"}
                </span>
                <Name item={item} selected={selected} search={props.search} />
              </div>
              <p class="wf-text">
                <span class={`wf-outcome ${outcome.tone}`}>{outcome.label}</span>{" "}
                {describe(item, item.startedAt - start)}
                {item.kind === "tool_call" && item.error ? ` · ${item.error}` : null}
              </p>
              <Bar item={item} start={start} span={span} />
            </li>
          );
        })}
      </ol>
      <ul class="wf-key" aria-label="Key">
        <li>
          <span class="wf-key-swatch llm" aria-hidden="true" /> LLM request
        </li>
        <li>
          <span class="wf-key-swatch tool" aria-hidden="true" /> MCP tool call
        </li>
        <li>
          <span class="wf-key-swatch ttfb" aria-hidden="true" /> Waiting for the first byte
        </li>
        <li>
          <span class="wf-key-swatch overhead" aria-hidden="true" /> Time the gateway added
        </li>
        <li>
          <span class="wf-key-swatch failed" aria-hidden="true" /> Failed
        </li>
      </ul>
    </div>
  );
}

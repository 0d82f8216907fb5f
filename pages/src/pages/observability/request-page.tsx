// One request: what the log knows of it, its trace as a waterfall (the LLM requests and MCP
// tool calls of its conversation, in time order), and its captured prompt and completion.
import type { ObservedRequestDetail, RequestTrace } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { exactTime, formatCount, formatMicroUsd } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { CodeBlock } from "../../ui/code-block";
import { Card, PageHeader } from "../../ui/page";
import { ErrorState, Loading, Notice } from "../../ui/states";
import { formatMs } from "./labels";
import { inputTokens, OutcomeBadge } from "./tables";
import { Waterfall } from "./waterfall";

/** Captured content is JSON text; shown indented when it parses, as it is otherwise. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function RequestPage(props: { id: string; search: string }) {
  const detail = useResource(
    () => api.get<ObservedRequestDetail>(`/observability/requests/${encodeURIComponent(props.id)}`),
    [props.id],
  );
  const back = (
    <a class="back-link" href={`/observability${props.search}`}>
      <span aria-hidden="true">←</span> Observability
    </a>
  );
  if (detail.state !== "ready") {
    return (
      <>
        {back}
        <PageHeader title="Request" />
        <Card>
          {detail.state === "loading" ? (
            <Loading label="Loading the request and its trace…" />
          ) : (
            <ErrorState message={detail.message} onRetry={detail.reload} />
          )}
        </Card>
      </>
    );
  }
  const d = detail.data;
  const r = d.request;
  return (
    <>
      {back}
      <PageHeader
        title={r.model ?? `${r.endpoint} request`}
        description={<>Request at {exactTime(r.createdAt)}</>}
      />
      <Card title="Trace" class="obs-trace">
        <TraceNote trace={d.trace} />
        <Waterfall trace={d.trace} selectedId={r.id} search={props.search} />
      </Card>
      <Card title="This request">
        <dl class="details obs-facts">
          <dt>Outcome</dt>
          <dd>
            <OutcomeBadge outcome={r.outcome} /> status {r.status}
            {r.errorType ? (
              <>
                {" "}
                · <code>{r.errorType}</code>
              </>
            ) : null}
          </dd>
          <dt>Person</dt>
          <dd>{r.userEmail ?? r.userId ?? "Unattributed"}</dd>
          <dt>Agent</dt>
          <dd>{r.agentId ?? "—"}</dd>
          <dt>Time to first byte</dt>
          <dd>{formatMs(r.ttfbMs)}</dd>
          <dt>Duration</dt>
          <dd>{formatMs(r.durationMs)}</dd>
          <dt>Gateway added</dt>
          <dd>{formatMs(r.overheadMs)}</dd>
          <dt>Tokens</dt>
          <dd>
            {formatCount(inputTokens(r))} in ({formatCount(r.cacheReadTokens)} cache reads,{" "}
            {formatCount(r.cacheWrite5mTokens + r.cacheWrite1hTokens)} cache writes),{" "}
            {formatCount(r.outputTokens)} out
          </dd>
          <dt>Cost</dt>
          <dd>
            {r.costMicroUsd === null ? "Unpriced" : formatMicroUsd(r.costMicroUsd)} ({r.billingMode}
            )
          </dd>
          <dt>Streamed</dt>
          <dd>{r.streamed ? "Yes" : "No"}</dd>
          <dt>Conversation</dt>
          <dd class="mono">{r.conversationId ?? "—"}</dd>
          <dt>Trace id</dt>
          <dd class="mono">{r.traceId ?? "—"}</dd>
          <dt>Request id</dt>
          <dd class="mono">{r.id}</dd>
          {r.upstreamRequestId ? (
            <>
              <dt>Provider's request id</dt>
              <dd class="mono">{r.upstreamRequestId}</dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title="Prompt and completion">
        <Content detail={d} />
      </Card>
    </>
  );
}

function TraceNote(props: { trace: RequestTrace }) {
  const t = props.trace;
  const n = t.items.length;
  const calls = `${formatCount(n)} ${n === 1 ? "call" : "calls"}`;
  if (t.by === "request") {
    return (
      <p class="muted">
        This request carries no conversation or trace id, so it is shown on its own.
      </p>
    );
  }
  return (
    <p class="muted">
      {calls} of {t.by === "conversation" ? "conversation" : "trace"}{" "}
      <code class="obs-key">{t.key}</code> within two hours of this request.
      {t.truncated ? ` There were more; these are the ${formatCount(n)} nearest to it.` : ""}
    </p>
  );
}

function Content(props: { detail: ObservedRequestDetail }) {
  const { payload, captureContent } = props.detail;
  if (payload && (payload.request !== null || payload.response !== null)) {
    return (
      <div class="log-payloads">
        {payload.request !== null ? (
          <CodeBlock label="Prompt" code={pretty(payload.request)} copyText={payload.request} />
        ) : null}
        {payload.response !== null ? (
          <CodeBlock
            label="Completion"
            code={pretty(payload.response)}
            copyText={payload.response}
          />
        ) : null}
      </div>
    );
  }
  if (!captureContent) {
    return (
      <Notice tone="info">
        <strong>Content capture is off.</strong> Prompts and completions are not kept. An admin can
        turn content capture on in <a href="/settings">Settings</a>; later requests then keep
        theirs, redacted and capped in size.
      </Notice>
    );
  }
  return (
    <Notice tone="info">
      No content was captured for this request: it was made while content capture was off.
    </Notice>
  );
}

// One tool call in full: the error, the names on both sides, and its arguments and result when
// the organisation keeps them (redacted before they were stored).
import type { McpToolCallView } from "../../../../shared/api-types";
import { CodeBlock } from "../../ui/code-block";
import { hasPayload, pretty } from "./labels";

export function CallDetails(props: { call: McpToolCallView }) {
  const c = props.call;
  const kept = hasPayload(c.arguments) || hasPayload(c.result);
  return (
    <div class="mcp-call-details">
      <dl class="details">
        <dt>When</dt>
        <dd>
          {new Date(c.at).toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" })}
        </dd>
        <dt>Tool called</dt>
        <dd class="mono">{c.tool}</dd>
        {c.upstreamTool ? (
          <>
            <dt>Upstream tool</dt>
            <dd class="mono">{c.upstreamTool}</dd>
          </>
        ) : null}
        {c.error ? (
          <>
            <dt>Error</dt>
            <dd>{c.error}</dd>
          </>
        ) : null}
        <dt>Call id</dt>
        <dd class="mono">{c.id}</dd>
      </dl>
      {kept ? (
        <div class="mcp-payloads">
          {hasPayload(c.arguments) ? (
            <CodeBlock
              label="Arguments"
              code={pretty(c.arguments)}
              copyText={pretty(c.arguments)}
            />
          ) : null}
          {hasPayload(c.result) ? (
            <CodeBlock label="Result" code={pretty(c.result)} copyText={pretty(c.result)} />
          ) : null}
        </div>
      ) : (
        <p class="muted">Payloads are not kept; an admin can turn this on in Settings.</p>
      )}
    </div>
  );
}

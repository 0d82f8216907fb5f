// One tool call in full: the error, the names on both sides, and its arguments and result when
// the organisation keeps them (redacted before they were stored).
import type { McpToolCallView } from "../../../../shared/api-types";
import { exactTime } from "../../lib/format";
import { JsonBlocks } from "../../ui/expandable-rows";

export function CallDetails(props: { call: McpToolCallView }) {
  const c = props.call;
  return (
    <div class="log-details mcp-call-details">
      <dl class="details">
        <dt>When</dt>
        <dd>{exactTime(c.at)}</dd>
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
      <JsonBlocks
        blocks={[
          { label: "Arguments", value: c.arguments },
          { label: "Result", value: c.result },
        ]}
        none="Payloads are not kept; an admin can turn this on in Settings."
      />
    </div>
  );
}

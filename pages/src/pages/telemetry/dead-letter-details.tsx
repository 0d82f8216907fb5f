// One dead letter in full: why it failed, its ids, and the message itself (loaded on opening;
// messages hold ids and redacted payloads, never a secret).
import type { DeadLetterDetail, DeadLetterView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { exactTime } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { CodeBlock } from "../../ui/code-block";
import { pretty } from "../../ui/expandable-rows";
import { ErrorState, Loading } from "../../ui/states";
import { KINDS } from "./labels";
import { deadLetterPath } from "./use-dead-letters";

export function DeadLetterDetails(props: { letter: DeadLetterView }) {
  const d = props.letter;
  const message = useResource(() => api.get<DeadLetterDetail>(deadLetterPath(d.id)), [d.id]);
  return (
    <div class="log-details dead-letter-details">
      <dl class="details">
        <dt>Failed</dt>
        <dd>{exactTime(d.failedAt)}</dd>
        <dt>Reason</dt>
        <dd class="dead-letter-reason-full">{d.reason}</dd>
        <dt>Kind</dt>
        <dd>{KINDS[d.kind].label}</dd>
        <dt>Attempts</dt>
        <dd>{d.attempts}</dd>
        {d.rowId ? (
          <>
            <dt>{d.kind === "mcp_tool_call" ? "Call id" : "Row id"}</dt>
            <dd class="mono">{d.rowId}</dd>
          </>
        ) : null}
        <dt>Message id</dt>
        <dd class="mono">{d.id}</dd>
      </dl>
      {message.state === "loading" ? <Loading label="Loading the message…" /> : null}
      {message.state === "error" ? (
        <ErrorState message={message.message} onRetry={message.reload} />
      ) : null}
      {message.state === "ready" ? (
        <div class="log-payloads">
          <CodeBlock
            label="Message"
            code={pretty(message.data.body)}
            copyText={pretty(message.data.body)}
          />
        </div>
      ) : null}
    </div>
  );
}

// One audit entry in full: request, client, detail text and the redacted snapshots.
import type { AuditEntryView } from "../../../../shared/api-types";
import { CodeBlock } from "../../ui/code-block";
import { exactTime, pretty, viaLabel } from "./labels";

export function EntryDetails(props: { entry: AuditEntryView }) {
  const e = props.entry;
  const hasBefore = e.before !== null && e.before !== undefined;
  const hasAfter = e.after !== null && e.after !== undefined;
  return (
    <div class="audit-details">
      <dl class="details">
        <dt>When</dt>
        <dd>{exactTime(e.at)}</dd>
        {e.method || e.path ? (
          <>
            <dt>Request</dt>
            <dd class="mono">
              {e.method} {e.path} → {e.status}
            </dd>
          </>
        ) : null}
        <dt>Via</dt>
        <dd>{viaLabel(e.actor.via)}</dd>
        {e.userAgent ? (
          <>
            <dt>Client</dt>
            <dd>{e.userAgent}</dd>
          </>
        ) : null}
        {e.detail ? (
          <>
            <dt>Detail</dt>
            <dd>{e.detail}</dd>
          </>
        ) : null}
        <dt>Entry id</dt>
        <dd class="mono">{e.id}</dd>
      </dl>
      {hasBefore || hasAfter ? (
        <div class="audit-snapshots">
          {hasBefore ? (
            <CodeBlock label="Before" code={pretty(e.before)} copyText={pretty(e.before)} />
          ) : null}
          {hasAfter ? (
            <CodeBlock label="After" code={pretty(e.after)} copyText={pretty(e.after)} />
          ) : null}
        </div>
      ) : (
        <p class="muted">No snapshot of the resource was recorded for this entry.</p>
      )}
      <p class="hint">Secrets are redacted before they are written to the log.</p>
    </div>
  );
}

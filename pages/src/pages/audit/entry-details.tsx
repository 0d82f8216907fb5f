// One audit entry in full: request, client, detail text and the redacted snapshots.
import type { AuditEntryView } from "../../../../shared/api-types";
import { exactTime } from "../../lib/format";
import { JsonBlocks } from "../../ui/expandable-rows";
import { viaLabel } from "./labels";

export function EntryDetails(props: { entry: AuditEntryView }) {
  const e = props.entry;
  return (
    <div class="log-details audit-details">
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
      <JsonBlocks
        blocks={[
          { label: "Before", value: e.before },
          { label: "After", value: e.after },
        ]}
        none="No snapshot of the resource was recorded for this entry."
      />
      <p class="hint">Secrets are redacted before they are written to the log.</p>
    </div>
  );
}

// Audit entries, newest first; each row opens to its redacted before/after snapshots.
import type { AuditEntryView } from "../../../../shared/api-types";
import { exactTime, formatRelative } from "../../lib/format";
import { ExpandableRow, useOpenRows } from "../../ui/expandable-rows";
import { Badge } from "../../ui/page";
import { ActionsHead } from "../../ui/table-head";
import { EntryDetails } from "./entry-details";
import { actorName, OUTCOME_TONE, resourceLabel, viaLabel } from "./labels";

export function AuditTable(props: { entries: AuditEntryView[] }) {
  const { isOpen, toggle } = useOpenRows();
  const now = Date.now();
  return (
    <div class="table-wrap">
      <table class="stack-table log-table audit-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Resource</th>
            <th scope="col">Outcome</th>
            <th scope="col">From</th>
            <ActionsHead label="Details" />
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => {
            const who = actorName(e.actor);
            const detailsId = `audit-details-${e.id}`;
            return (
              <ExpandableRow
                key={e.id}
                detailsId={detailsId}
                name={e.action}
                open={isOpen(e.id)}
                onToggle={() => toggle(e.id)}
                colSpan={7}
                details={() => <EntryDetails entry={e} />}
              >
                <td data-label="When" class="nowrap">
                  <time dateTime={new Date(e.at).toISOString()} title={exactTime(e.at)}>
                    {formatRelative(e.at, now)}
                  </time>
                </td>
                <td data-label="Who" class="audit-who">
                  <span>
                    <span class={who.known ? "" : "muted audit-nobody"}>{who.name}</span>
                    <span class="cell-sub">via {viaLabel(e.actor.via)}</span>
                  </span>
                </td>
                <td class="name-cell audit-action">
                  <code>{e.action}</code>
                </td>
                <td data-label="Resource" class="audit-resource">
                  {e.resourceType ? (
                    <span>
                      {resourceLabel(e.resourceType)}
                      {e.resourceId ? <span class="cell-sub mono">{e.resourceId}</span> : null}
                    </span>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td class="status-cell nowrap">
                  <Badge tone={OUTCOME_TONE[e.outcome]}>{e.outcome}</Badge>{" "}
                  <span class="muted audit-status" title="HTTP status">
                    {e.status}
                  </span>
                </td>
                <td data-label="From" class="mono">
                  {e.ip ?? <span class="muted">—</span>}
                </td>
              </ExpandableRow>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

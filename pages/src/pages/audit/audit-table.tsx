// Audit entries, newest first; each row opens to its redacted before/after snapshots.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import type { AuditEntryView } from "../../../../shared/api-types";
import { formatRelative } from "../../lib/format";
import { Badge } from "../../ui/page";
import { EntryDetails } from "./entry-details";
import { actorName, exactTime, OUTCOME_TONE, resourceLabel, viaLabel } from "./labels";

export function AuditTable(props: { entries: AuditEntryView[] }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(open);
    if (!next.delete(id)) next.add(id);
    setOpen(next);
  };
  const now = Date.now();
  return (
    <div class="table-wrap">
      <table class="stack-table audit-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Resource</th>
            <th scope="col">Outcome</th>
            <th scope="col">From</th>
            <th scope="col">
              <span class="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => {
            const expanded = open.has(e.id);
            const who = actorName(e.actor);
            const detailsId = `audit-details-${e.id}`;
            return (
              <Fragment key={e.id}>
                <tr class={expanded ? "audit-row open" : "audit-row"}>
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
                  <td class="actions">
                    <button
                      type="button"
                      class="button secondary small"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      aria-label={`Details for ${e.action}`}
                      onClick={() => toggle(e.id)}
                    >
                      {expanded ? "Hide" : "Details"}
                    </button>
                  </td>
                </tr>
                {expanded ? (
                  <tr class="audit-details-row" id={detailsId}>
                    <td colSpan={7}>
                      <EntryDetails entry={e} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// Audit log: who changed what in Gatehouse, when, from where, and whether it was allowed.
// Newest first, filtered, with older entries loaded on request and each entry's redacted
// before/after snapshots one click away.
import "./audit/audit.css";
import { useState } from "preact/hooks";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { NoAccess } from "../ui/modal";
import { Card, PageHeader } from "../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../ui/states";
import { AuditTable } from "./audit/audit-table";
import { AuditFilterBar } from "./audit/filter-bar";
import { type AuditFilters, hasFilters, NO_FILTERS, useAuditLog } from "./audit/use-audit-log";
import { loadPeople } from "./teams/data";

export function AuditPage() {
  const { can } = useSession();
  if (!can("audit:read")) return <NoAccess title="Audit log" permission="audit:read" />;
  return <AuditLogView />;
}

function AuditLogView() {
  const { can } = useSession();
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const { log, reload, loadMore } = useAuditLog(filters);
  const people = useResource(() => loadPeople(can("member:read")), []);
  const filtered = hasFilters(filters);

  let body = null;
  if (log.state === "loading") body = <Loading label="Loading the audit log…" />;
  else if (log.state === "error") body = <ErrorState message={log.message} onRetry={reload} />;
  else if (log.entries.length === 0)
    body = filtered ? (
      <Empty
        title="No entries match these filters"
        action={
          <button type="button" class="button secondary" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        }
      >
        Try a shorter action prefix, or another outcome or person.
      </Empty>
    ) : (
      <Empty title="Nothing recorded yet">
        Every change made through the dashboard or the API, and every sign-in, is recorded here.
      </Empty>
    );
  else
    body = (
      <>
        <AuditTable entries={log.entries} />
        {log.moreError ? <Notice tone="error">{log.moreError}</Notice> : null}
        <div class="audit-more">
          <p class="muted" aria-live="polite">
            {log.nextCursor
              ? `Showing the newest ${log.entries.length} entries.`
              : `${log.entries.length} ${log.entries.length === 1 ? "entry" : "entries"}: that is all${filtered ? " that match" : ""}.`}
          </p>
          {log.nextCursor ? (
            <button
              type="button"
              class="button secondary"
              disabled={log.loadingMore}
              onClick={loadMore}
            >
              {log.loadingMore ? "Loading…" : "Load more"}
            </button>
          ) : null}
        </div>
      </>
    );

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to Gatehouse and every sign-in: who, what, when, from where, and whether it was allowed. Secrets are never recorded."
        actions={
          <button
            type="button"
            class="button secondary"
            onClick={reload}
            disabled={log.state === "loading" || (log.state === "ready" && log.refreshing)}
          >
            {log.state === "ready" && log.refreshing ? "Refreshing…" : "Refresh"}
          </button>
        }
      />
      <Card>
        <AuditFilterBar
          filters={filters}
          people={people.state === "ready" ? people.data : null}
          onChange={setFilters}
        />
        {body}
      </Card>
    </>
  );
}

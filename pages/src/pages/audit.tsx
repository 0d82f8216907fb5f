// Audit log: who changed what in Gatehouse, when, from where, and whether it was allowed.
// Newest first, filtered, with older entries loaded on request and each entry's redacted
// before/after snapshots one click away.
import "./audit/audit.css";
import { useState } from "preact/hooks";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { NoAccess } from "../ui/modal";
import { Card, PageHeader } from "../ui/page";
import { PagedListBody, RefreshButton } from "../ui/paged-list";
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

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to Gatehouse and every sign-in: who, what, when, from where, and whether it was allowed. Secrets are never recorded."
        actions={<RefreshButton list={log} onRefresh={reload} />}
      />
      <Card>
        <AuditFilterBar
          filters={filters}
          people={people.state === "ready" ? people.data : null}
          onChange={setFilters}
        />
        <PagedListBody
          list={log}
          onRetry={reload}
          onLoadMore={loadMore}
          loadingLabel="Loading the audit log…"
          filtered={filtered}
          onClearFilters={() => setFilters(NO_FILTERS)}
          noMatch={{
            title: "No entries match these filters",
            body: "Try a shorter action prefix, or another outcome or person.",
          }}
          none={{
            title: "Nothing recorded yet",
            body: "Every change made through the dashboard or the API, and every sign-in, is recorded here.",
          }}
          noun={["entry", "entries"]}
          moreLabel="Load more"
        >
          {(entries) => <AuditTable entries={entries} />}
        </PagedListBody>
      </Card>
    </>
  );
}

// The audit log as the page shows it: its filters, and the entries for them in cursor pages
// (see use-cursor-pages).
import type { AuditEntryView, ListOf } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { useCursorPages } from "../../lib/use-cursor-pages";

export interface AuditFilters {
  outcome: "" | "success" | "denied" | "error";
  action: string;
  actorUserId: string;
  resourceType: string;
}

export const NO_FILTERS: AuditFilters = {
  outcome: "",
  action: "",
  actorUserId: "",
  resourceType: "",
};

export const hasFilters = (f: AuditFilters) =>
  Boolean(f.outcome || f.action.trim() || f.actorUserId || f.resourceType);

type AuditPage = ListOf<AuditEntryView> & { nextCursor: string | null };

const PAGE_SIZE = 50;

function fetchPage(filters: AuditFilters, cursor?: string): Promise<AuditPage> {
  return api.get<AuditPage>("/audit", {
    outcome: filters.outcome || undefined,
    action: filters.action.trim() || undefined,
    actorUserId: filters.actorUserId || undefined,
    resourceType: filters.resourceType || undefined,
    limit: PAGE_SIZE,
    cursor,
  });
}

export function useAuditLog(filters: AuditFilters) {
  const { list, reload, loadMore } = useCursorPages<AuditEntryView>(
    (cursor) => fetchPage(filters, cursor),
    JSON.stringify(filters),
  );
  return { log: list, reload, loadMore };
}

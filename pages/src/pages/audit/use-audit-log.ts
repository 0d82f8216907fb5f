// The audit log as the page shows it: the first page for the current filters, then older
// pages appended with the API's cursor. A change of filters starts again from the newest.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { AuditEntryView, ListOf } from "../../../../shared/api-types";
import { api, errorMessage } from "../../lib/api";

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

export type AuditLog =
  | { state: "loading" }
  | { state: "error"; message: string }
  | {
      state: "ready";
      entries: AuditEntryView[];
      nextCursor: string | null;
      loadingMore: boolean;
      moreError: string | null;
      refreshing: boolean;
    };

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
  const [log, setLog] = useState<AuditLog>({ state: "loading" });
  const generation = useRef(0);
  const { outcome, action, actorUserId, resourceType } = filters;

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLog((current) =>
      current.state === "ready" ? { ...current, refreshing: true } : { state: "loading" },
    );
    fetchPage({ outcome, action, actorUserId, resourceType }).then(
      (page) => {
        if (mine !== generation.current) return;
        setLog({
          state: "ready",
          entries: page.data,
          nextCursor: page.nextCursor,
          loadingMore: false,
          moreError: null,
          refreshing: false,
        });
      },
      (err: unknown) => {
        if (mine === generation.current) setLog({ state: "error", message: errorMessage(err) });
      },
    );
  }, [outcome, action, actorUserId, resourceType]);

  useEffect(() => {
    // New filters: show the loading state rather than the old filter's rows.
    setLog({ state: "loading" });
    reload();
  }, [reload]);

  const loadMore = () => {
    if (log.state !== "ready" || !log.nextCursor || log.loadingMore) return;
    const mine = generation.current;
    setLog({ ...log, loadingMore: true, moreError: null });
    fetchPage(filters, log.nextCursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setLog((current) =>
          current.state === "ready"
            ? {
                ...current,
                entries: [...current.entries, ...page.data],
                nextCursor: page.nextCursor,
                loadingMore: false,
              }
            : current,
        );
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setLog((current) =>
          current.state === "ready"
            ? { ...current, loadingMore: false, moreError: errorMessage(err) }
            : current,
        );
      },
    );
  };

  return { log, reload, loadMore };
}

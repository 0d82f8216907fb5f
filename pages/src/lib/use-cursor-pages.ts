// A list the API serves newest first in cursor pages: the first page for a query, then older
// pages appended on request. A new query starts again from the newest; answers to an older
// query (or to a load started before a reload) are dropped.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "./api";

export interface CursorPage<T> {
  data: T[];
  nextCursor: string | null;
}

export type CursorPages<T> =
  | { state: "loading" }
  | { state: "error"; message: string }
  | {
      state: "ready";
      items: T[];
      nextCursor: string | null;
      loadingMore: boolean;
      moreError: string | null;
      refreshing: boolean;
    };

/**
 * `fetchPage` reads one page (the first when `cursor` is undefined); `key` names the query, so
 * a change of key reloads from the first page and an equal key does not.
 */
export function useCursorPages<T>(
  fetchPage: (cursor?: string) => Promise<CursorPage<T>>,
  key: string,
) {
  const [list, setList] = useState<CursorPages<T>>({ state: "loading" });
  const generation = useRef(0);
  // The latest fetcher, so reload and loadMore read the query as it is now.
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;

  // The key stands for the query: reload is new (and runs) only when the query changes.
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setList((current) =>
      current.state === "ready" ? { ...current, refreshing: true } : { state: "loading" },
    );
    fetcher.current().then(
      (page) => {
        if (mine !== generation.current) return;
        setList({
          state: "ready",
          items: page.data,
          nextCursor: page.nextCursor,
          loadingMore: false,
          moreError: null,
          refreshing: false,
        });
      },
      (err: unknown) => {
        if (mine === generation.current) setList({ state: "error", message: errorMessage(err) });
      },
    );
  }, [key]);

  useEffect(() => {
    // A new query: show the loading state rather than the old query's rows.
    setList({ state: "loading" });
    reload();
  }, [reload]);

  const loadMore = () => {
    if (list.state !== "ready" || !list.nextCursor || list.loadingMore) return;
    const mine = generation.current;
    setList({ ...list, loadingMore: true, moreError: null });
    fetcher.current(list.nextCursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setList((current) =>
          current.state === "ready"
            ? {
                ...current,
                items: [...current.items, ...page.data],
                nextCursor: page.nextCursor,
                loadingMore: false,
              }
            : current,
        );
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setList((current) =>
          current.state === "ready"
            ? { ...current, loadingMore: false, moreError: errorMessage(err) }
            : current,
        );
      },
    );
  };

  return { list, reload, loadMore };
}

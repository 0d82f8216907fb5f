// A log-style list read in cursor pages (lib/use-cursor-pages): its loading, failed and empty
// states, the rows, and a footer that says how many are shown and loads older ones; plus the
// page header's Refresh button for it.
import "./log-list.css";
import type { ComponentChildren } from "preact";
import type { CursorPages } from "../lib/use-cursor-pages";
import { Empty, ErrorState, Loading, Notice } from "./states";

export function RefreshButton(props: { list: CursorPages<unknown>; onRefresh: () => void }) {
  const refreshing = props.list.state === "ready" && props.list.refreshing;
  return (
    <button
      type="button"
      class="button secondary"
      onClick={props.onRefresh}
      disabled={props.list.state === "loading" || refreshing}
    >
      {refreshing ? "Refreshing…" : "Refresh"}
    </button>
  );
}

export function PagedListBody<T>(props: {
  list: CursorPages<T>;
  onRetry: () => void;
  onLoadMore: () => void;
  loadingLabel: string;
  /** Whether filters narrow the list: the empty state and the footer say so. */
  filtered: boolean;
  onClearFilters: () => void;
  /** The empty state when filters match nothing, and when there is nothing at all. */
  noMatch: { title: string; body: ComponentChildren };
  none: { title: string; body: ComponentChildren };
  /** What a row is, singular and plural: "entry", "entries". */
  noun: [string, string];
  moreLabel: string;
  children: (items: T[]) => ComponentChildren;
}) {
  const { list } = props;
  if (list.state === "loading") return <Loading label={props.loadingLabel} />;
  if (list.state === "error") return <ErrorState message={list.message} onRetry={props.onRetry} />;
  const n = list.items.length;
  if (n === 0)
    return props.filtered ? (
      <Empty
        title={props.noMatch.title}
        action={
          <button type="button" class="button secondary" onClick={props.onClearFilters}>
            Clear filters
          </button>
        }
      >
        {props.noMatch.body}
      </Empty>
    ) : (
      <Empty title={props.none.title}>{props.none.body}</Empty>
    );
  const [one, many] = props.noun;
  return (
    <>
      {props.children(list.items)}
      {list.moreError ? <Notice tone="error">{list.moreError}</Notice> : null}
      <div class="log-more">
        <p class="muted" aria-live="polite">
          {list.nextCursor
            ? `Showing the newest ${n} ${many}.`
            : `${n} ${n === 1 ? one : many}: that is all${props.filtered ? " that match" : ""}.`}
        </p>
        {list.nextCursor ? (
          <button
            type="button"
            class="button secondary"
            disabled={list.loadingMore}
            onClick={props.onLoadMore}
          >
            {list.loadingMore ? "Loading…" : props.moreLabel}
          </button>
        ) : null}
      </div>
    </>
  );
}

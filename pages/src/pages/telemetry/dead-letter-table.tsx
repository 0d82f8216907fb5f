// Dead letters, newest first: when, what kind, a one-line summary, why, and how many
// attempts; each row opens to its message, and those who may retry or discard it do so here.
import type { DeadLetterView } from "../../../../shared/api-types";
import { exactTime, formatRelative } from "../../lib/format";
import { ExpandableRow, useOpenRows } from "../../ui/expandable-rows";
import { Badge } from "../../ui/page";
import { TableHead } from "../../ui/table-head";
import { DeadLetterDetails } from "./dead-letter-details";
import { KINDS } from "./labels";

const COLUMNS = ["When", "Kind", "Summary", "Reason", "Attempts"];

export function DeadLetterTable(props: {
  letters: DeadLetterView[];
  /** Null for someone who may only read them. */
  actions: {
    stateOf: (id: string) => "idle" | "sending" | "sent";
    busy: boolean;
    onRetry: (letter: DeadLetterView) => void;
    onDiscard: (letter: DeadLetterView) => void;
  } | null;
}) {
  const { isOpen, toggle } = useOpenRows();
  const now = Date.now();
  const { actions } = props;
  return (
    <div class="table-wrap">
      <table class="stack-table log-table dead-letter-table">
        <TableHead columns={COLUMNS} actions />
        <tbody>
          {props.letters.map((d) => {
            const kind = KINDS[d.kind];
            const state = actions?.stateOf(d.id) ?? "idle";
            return (
              <ExpandableRow
                key={d.id}
                detailsId={`dead-letter-${d.id}`}
                name={d.summary}
                open={isOpen(d.id)}
                onToggle={() => toggle(d.id)}
                colSpan={COLUMNS.length + 1}
                details={() => <DeadLetterDetails letter={d} />}
                actions={
                  actions ? (
                    <>
                      <button
                        type="button"
                        class="button primary small"
                        aria-label={`Retry ${d.summary}`}
                        disabled={state !== "idle" || actions.busy}
                        onClick={() => actions.onRetry(d)}
                      >
                        {state === "sending" ? "Retrying…" : state === "sent" ? "Sent" : "Retry"}
                      </button>
                      <button
                        type="button"
                        class="button secondary small danger-text"
                        aria-label={`Discard ${d.summary}`}
                        disabled={state !== "idle" || actions.busy}
                        onClick={() => actions.onDiscard(d)}
                      >
                        Discard
                      </button>
                    </>
                  ) : null
                }
              >
                <td data-label="When" class="nowrap">
                  <time dateTime={new Date(d.failedAt).toISOString()} title={exactTime(d.failedAt)}>
                    {formatRelative(d.failedAt, now)}
                  </time>
                </td>
                <td class="status-cell nowrap">
                  <Badge tone={kind.tone}>{kind.label}</Badge>
                </td>
                <td class="name-cell dead-letter-summary">{d.summary}</td>
                <td data-label="Reason" class="dead-letter-reason">
                  <span title={d.reason}>{d.reason}</span>
                </td>
                <td data-label="Attempts" class="nowrap">
                  {d.attempts}
                </td>
              </ExpandableRow>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

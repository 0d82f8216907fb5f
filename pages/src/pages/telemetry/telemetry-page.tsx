// Telemetry: the log rows and tool calls that could not be stored (dead letters), each with
// its reason, newest first. Admins send them again, one or all, or discard one that can never
// be stored; everyone with log access sees them.
import "./telemetry.css";
import { useState } from "preact/hooks";
import type { DeadLetterView } from "../../../../shared/api-types";
import { useSession } from "../../lib/session";
import { ConfirmDialog } from "../../ui/confirm";
import { NoAccess } from "../../ui/modal";
import { Badge, Card, PageHeader } from "../../ui/page";
import { PagedListBody, RefreshButton } from "../../ui/paged-list";
import { Notice } from "../../ui/states";
import { DeadLetterTable } from "./dead-letter-table";
import { KINDS } from "./labels";
import { useDeadLetterActions, useDeadLetters } from "./use-dead-letters";

export function TelemetryPage() {
  const { can } = useSession();
  if (!can("log:read")) return <NoAccess title="Telemetry" permission="log:read" />;
  return <TelemetryView />;
}

const NOTHING_WAITING = {
  title: "Nothing is waiting",
  body: "Every log row and tool call reached the database.",
};

function TelemetryView() {
  const { can } = useSession();
  const mayChange = can("telemetry:update");
  const { list, total, reload, loadMore } = useDeadLetters();
  const actions = useDeadLetterActions(reload);
  const [discarding, setDiscarding] = useState<DeadLetterView | null>(null);
  const waiting = list.state === "ready" && list.items.length > 0;

  return (
    <>
      <PageHeader
        title="Telemetry"
        description="Every LLM request and MCP tool call leaves a message that the gateway stores in the logs. A message that could not be stored waits here with the reason: once the cause is fixed, retry it, or discard one that can never be stored."
        actions={
          <>
            <RefreshButton list={list} onRefresh={reload} />
            {mayChange && waiting ? (
              <button
                type="button"
                class="button primary"
                disabled={actions.retryingAll}
                onClick={() => void actions.retryAll()}
              >
                {actions.retryingAll ? "Retrying all…" : "Retry all"}
              </button>
            ) : null}
          </>
        }
      />
      <div aria-live="polite">
        {actions.outcome ? (
          <div class="telemetry-outcome">
            <Notice tone={actions.outcome.tone}>{actions.outcome.text}</Notice>
          </div>
        ) : null}
      </div>
      <Card
        title={
          <>
            Dead letters{" "}
            {total !== null && total > 0 ? <Badge tone="warn">{`${total} waiting`}</Badge> : null}
          </>
        }
      >
        {!mayChange && waiting ? (
          <p class="hint">
            Retrying or discarding them needs the permission 'telemetry:update' (admins have it).
          </p>
        ) : null}
        <PagedListBody
          list={list}
          onRetry={reload}
          onLoadMore={loadMore}
          loadingLabel="Loading dead letters…"
          filtered={false}
          onClearFilters={reload}
          noMatch={NOTHING_WAITING}
          none={NOTHING_WAITING}
          noun={["dead letter", "dead letters"]}
          moreLabel="Load older"
        >
          {(letters) => (
            <DeadLetterTable
              letters={letters}
              actions={
                mayChange
                  ? {
                      stateOf: actions.stateOf,
                      busy: actions.retryingAll,
                      onRetry: (d) => void actions.retry(d),
                      onDiscard: setDiscarding,
                    }
                  : null
              }
            />
          )}
        </PagedListBody>
      </Card>
      <ConfirmDialog
        open={discarding !== null}
        title="Discard this dead letter?"
        confirmLabel="Discard"
        onConfirm={async () => {
          if (discarding) await actions.discard(discarding);
        }}
        onClose={() => setDiscarding(null)}
      >
        {discarding ? (
          <p>
            The {KINDS[discarding.kind].noun} <strong>{discarding.summary}</strong> leaves this list
            for good and is never stored: {KINDS[discarding.kind].lost}.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

// The organisation's budgets and rate limits with how full each is, and (for those allowed)
// adding, editing and deleting them.
import { useEffect, useState } from "preact/hooks";
import type { LimitView, ListOf } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatRelative } from "../../lib/format";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { ConfirmDialog } from "../../ui/confirm";
import { Badge, Card } from "../../ui/page";
import { Empty, ErrorState, Loading, Notice } from "../../ui/states";
import type { Directory } from "./directory";
import { LimitForm } from "./limit-form";
import {
  describeModels,
  describeRule,
  describeScope,
  formatAmount,
  percentUsed,
  toneFor,
} from "./limit-text";

export function LimitsSection(props: { directory: Directory }) {
  const { can } = useSession();
  const limits = useResource(() => api.get<ListOf<LimitView>>("/limits"));
  /** "new", a limit's id being edited, or nothing. */
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<LimitView | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  /** The button that opened the form closed last, to give keyboard focus back to it. */
  const [returnTo, setReturnTo] = useState<string | null>(null);
  useEffect(() => {
    if (!returnTo) return;
    document.querySelector<HTMLElement>(`[data-opens="${returnTo}"]`)?.focus();
    setReturnTo(null);
  }, [returnTo]);
  const open = (what: string) => {
    setSaved(null);
    setEditing(what);
  };
  const close = () => {
    setReturnTo(editing);
    setEditing(null);
  };
  const onSaved = (limit: LimitView) => {
    close();
    setSaved(`Saved “${limit.name}”.`);
    limits.reload();
  };
  const actions = (
    <div class="row">
      <button
        type="button"
        class="button ghost small"
        onClick={limits.reload}
        disabled={limits.state === "ready" && limits.refreshing}
      >
        Refresh<span class="visually-hidden"> limits</span>
      </button>
      {can("limit:create") ? (
        <button
          type="button"
          class="button primary small"
          data-opens="new"
          onClick={() => open("new")}
          disabled={editing === "new"}
        >
          Add limit
        </button>
      ) : null}
    </div>
  );
  return (
    <Card title="Limits" actions={actions} class="limits-card">
      <p class="muted">
        Budgets and rate limits the LLM proxies enforce. A request that would go over one is refused
        until the window resets.
      </p>
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      {editing === "new" ? (
        <LimitForm directory={props.directory} onSaved={onSaved} onCancel={close} />
      ) : null}
      {limits.state === "loading" ? <Loading label="Loading limits…" /> : null}
      {limits.state === "error" ? (
        <ErrorState message={limits.message} onRetry={limits.reload} />
      ) : null}
      {limits.state === "ready" && limits.data.data.length === 0 ? (
        <Empty title="No limits yet">
          Without limits, spend is unbounded.
          {can("limit:create") ? " Add a monthly budget for the organisation to start." : ""}
        </Empty>
      ) : null}
      {limits.state === "ready" && limits.data.data.length > 0 ? (
        <ul class="limit-list" aria-label="Limits">
          {limits.data.data.map((limit) =>
            editing === limit.id ? (
              <li key={limit.id} class="limit-item editing">
                <LimitForm
                  limit={limit}
                  directory={props.directory}
                  onSaved={onSaved}
                  onCancel={close}
                />
              </li>
            ) : (
              <LimitItem
                key={limit.id}
                limit={limit}
                directory={props.directory}
                onEdit={can("limit:update") ? () => open(limit.id) : undefined}
                onDelete={can("limit:delete") ? () => setDeleting(limit) : undefined}
              />
            ),
          )}
        </ul>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this limit?"
        confirmLabel="Delete limit"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.delete(`/limits/${deleting.id}`);
          setSaved(`Deleted “${deleting.name}”.`);
          limits.reload();
        }}
      >
        <p>
          {deleting
            ? `“${deleting.name}” (${describeRule(deleting)}) stops applying within seconds. Its usage so far is discarded.`
            : ""}
        </p>
      </ConfirmDialog>
    </Card>
  );
}

function LimitItem(props: {
  limit: LimitView;
  directory: Directory;
  onEdit?: () => void;
  onDelete?: () => void;
}) {
  const { limit } = props;
  const headingId = `limit-${limit.id}`;
  return (
    <li class="limit-item" aria-labelledby={headingId}>
      <div class="limit-title">
        <h3 id={headingId}>{limit.name}</h3>
        <Badge tone={limit.scope === "organisation" ? "info" : "neutral"}>
          {describeScope(limit, props.directory)}
        </Badge>
        <StateBadge limit={limit} />
      </div>
      {props.onEdit || props.onDelete ? (
        <div class="row limit-actions">
          {props.onEdit ? (
            <button
              type="button"
              class="button secondary small"
              data-opens={limit.id}
              onClick={props.onEdit}
              aria-label={`Edit ${limit.name}`}
            >
              Edit
            </button>
          ) : null}
          {props.onDelete ? (
            <button
              type="button"
              class="button secondary small"
              onClick={props.onDelete}
              aria-label={`Delete ${limit.name}`}
            >
              Delete
            </button>
          ) : null}
        </div>
      ) : null}
      <p class="limit-rule">
        <strong>{describeRule(limit)}</strong>
        <span class="muted"> · {describeModels(limit.models)}</span>
      </p>
      <LimitUsage limit={limit} />
    </li>
  );
}

/** "Reached" or "Near the limit", so a full limit stands out without reading the bar. */
function StateBadge(props: { limit: LimitView }) {
  const percent = percentUsed(props.limit);
  if (percent === null || percent < 80) return null;
  return percent >= 100 ? (
    <Badge tone="bad">Reached</Badge>
  ) : (
    <Badge tone="warn">Near the limit</Badge>
  );
}

function LimitUsage(props: { limit: LimitView }) {
  const { limit } = props;
  const { usage } = limit;
  if (limit.scope === "default_user") {
    return <p class="muted limit-meter-note">Counted for each user separately.</p>;
  }
  const percent = percentUsed(limit);
  if (!usage || percent === null) {
    return <p class="muted limit-meter-note">Usage is unavailable right now.</p>;
  }
  const consumed = usage.used + usage.reserved;
  const shown = Math.round(percent);
  const figures = `${formatAmount(limit.metric, consumed)} of ${formatAmount(limit.metric, limit.amount)} used`;
  return (
    <div class="limit-meter">
      <div
        class={`progress ${toneFor(percent)}`}
        role="progressbar"
        aria-label={`${limit.name} usage`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(100, shown)}
        aria-valuetext={`${figures} (${shown}%)`}
      >
        <span style={{ width: `${Math.min(100, Math.max(percent, percent > 0 ? 1 : 0))}%` }} />
      </div>
      <p class="limit-figures">
        <span>
          {figures} <span class="muted">({shown}%)</span>
          {usage.reserved > 0 ? (
            <span class="muted">
              {" "}
              · {formatAmount(limit.metric, usage.reserved)} held by requests in flight
            </span>
          ) : null}
        </span>
        <span class="muted">Resets {formatRelative(usage.resetAt)}</span>
      </p>
    </div>
  );
}
